import Domain
import GRPCWire
import ProtoMessages
import ServiceKit
import Storage

/// How each followed feed's events change the read models. Each function runs inside the
/// follower's page transaction, together with the new feed position (``FeedFollower``), so it does
/// database work only. Payloads reporting does not use yet still advance the position
/// (docs/API.md, evolution).
enum ReadModels {
    // MARK: registry

    static func apply(_ event: Recs_Registry_V1_Event, _ sql: inout SQLTransaction) throws {
        switch event.payload {
        case .organization(let organization)?:
            try upsert(organization, sequence: event.sequence, &sql)
        case .subaccount(let subaccount)?:
            try upsert(subaccount, &sql)
        case .generatingUnit(let unit)?:
            try upsert(unit, sequence: event.sequence, &sql)
        default:
            break
        }
    }

    /// The organization mapped into reporting's record on arrival (ADR 0010), and its subaccounts.
    static func upsert(_ organization: Recs_Registry_V1_Organization, sequence: Int64, _ sql: inout SQLTransaction) throws {
        try DirectoryRows.save(OrganizationRecord(registry: organization), sequence: sequence, &sql)
        for subaccount in organization.subaccounts {
            var subaccount = subaccount
            if subaccount.organizationId.isEmpty { subaccount.organizationId = organization.organizationId }
            try upsert(subaccount, &sql)
        }
    }

    static func upsert(_ subaccount: Recs_Registry_V1_Subaccount, _ sql: inout SQLTransaction) throws {
        try sql.execute(
            """
            INSERT INTO subaccounts (subaccount_id, organization_id, kind) VALUES ($1, $2, $3)
            ON CONFLICT (subaccount_id) DO UPDATE SET organization_id = excluded.organization_id, kind = excluded.kind
            """,
            .text(subaccount.subaccountId), .text(subaccount.organizationId), .int64(Int64(subaccount.kind.rawValue)))
    }

    static func upsert(_ unit: Recs_Registry_V1_GeneratingUnit, sequence: Int64, _ sql: inout SQLTransaction) throws {
        try DirectoryRows.save(GeneratorRecord(registry: unit), sequence: sequence, &sql)
    }

    // MARK: issuance

    static func apply(_ event: Recs_Issuance_V1_Event, _ sql: inout SQLTransaction) throws {
        switch event.payload {
        case .batchIssued(let batch)?:
            try upsert(batch, corrected: false, sequence: event.sequence, &sql)
        case .batchCorrected(let batch)?:
            try upsert(batch, corrected: true, sequence: event.sequence, &sql)
        default:
            break
        }
    }

    /// A batch with every certificate field (§20, Appendix B-1), mapped into reporting's record on
    /// arrival (ADR 0010); a correction replaces the fields (§13.1).
    static func upsert(_ batch: Recs_Common_V1_CertificateBatch, corrected: Bool, sequence: Int64, _ sql: inout SQLTransaction) throws {
        let range = try SerialRanges.parse(batch.serialRange, field: "batch.serial_range")
        let fields = CertificateFieldsRecord(wire: batch.attributes ?? Recs_Common_V1_CertificateAttributes())
        try BatchRows.save(range, fields: fields, corrected: corrected, sequence: sequence, &sql)
    }

    // MARK: transfer

    static func apply(_ event: Recs_Transfer_V1_Event, _ sql: inout SQLTransaction) throws {
        let at = (event.at?.unixSeconds ?? 0) * 1_000
        let origin = "\(ReportingFeeds.transferName):\(event.sequence)"
        switch event.payload {
        case .certificatesDeposited(let deposit)?:
            for placement in deposit.placements {
                let status: Recs_Common_V1_CertificateStatus = placement.status == .unspecified ? .active : placement.status
                let why = reasons(retirement: placement.retirementReason, reserve: placement.reserveReason, export: nil)
                try place(
                    [placement.serialRange].compactMap { $0 }, at: placement.holder, status: status, time: at, reasons: why,
                    origin: origin, &sql)
            }
        case .transfer(let transfer)?:
            guard let (holder, status) = outcome(of: transfer) else { return }
            try place(transfer.serialRanges, at: holder, status: status, time: at, reasons: [], origin: origin, &sql)
        case .ledgerTransaction(let transaction)?:
            guard let status = status(after: transaction.kind) else { return }
            let why = reasons(retirement: transaction.retirementReason, reserve: transaction.reserveReason, export: nil)
            try place(transaction.serialRanges, at: transaction.to, status: status, time: at, reasons: why, origin: origin, &sql)
        case .ledgerMovement(let movement)?:
            guard movement.status != .unspecified else { return }
            let to = movement.to.flatMap { $0.subaccountId.isEmpty ? nil : $0 }
            let why = reasons(retirement: movement.retirementReason, reserve: movement.reserveReason, export: movement.exportDestination)
            try place(
                movement.serialRanges, at: to ?? movement.from, status: movement.status, time: at, reasons: why, origin: origin,
                &sql)
        default:
            break
        }
    }

    /// Where a transfer's certificates are in each state (§15.2, §15.3): frozen at the transferor
    /// while pending or accepted for a later execution date; at the transferee once completed; back
    /// at the transferor, active, when it ends otherwise.
    static func outcome(of transfer: Recs_Transfer_V1_Transfer) -> (Recs_Common_V1_Holder, Recs_Common_V1_CertificateStatus)? {
        var from = Recs_Common_V1_Holder()
        from.organizationId = transfer.fromOrganizationId
        from.subaccountId = transfer.fromSubaccountId
        from.subaccountKind = .active
        var to = Recs_Common_V1_Holder()
        to.organizationId = transfer.toOrganizationId
        to.subaccountId = transfer.toSubaccountId
        to.subaccountKind = .active
        switch transfer.state {
        case .pending, .accepted: return (from, .pendingTransfer)
        case .completed: return (to, .active)
        case .rejected, .withdrawn, .expired, .cancelled: return (from, .active)
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The status a ledger transaction leaves its certificates in, at its `to` holder.
    static func status(after kind: Recs_Transfer_V1_LedgerTransactionKind) -> Recs_Common_V1_CertificateStatus? {
        switch kind {
        case .retirement, .forcedRetirement: .retired
        case .reserve: .reserved
        case .intraAccountTransfer, .administratorWithdrawal: .active
        case .unspecified, .unrecognized: nil
        }
    }

    /// The reasons of a change as kept in a segment: an encoded `SerialNumberStatus` with only
    /// them, or empty when there is none (so alike segments still merge).
    static func reasons(
        retirement: Recs_Common_V1_RetirementReason?, reserve: Recs_Common_V1_ReserveReason?,
        export: Recs_Common_V1_ExportDestination?
    ) -> [UInt8] {
        guard retirement != nil || reserve != nil || export != nil else { return [] }
        var status = Recs_Reporting_V1_SerialNumberStatus()
        status.retirementReason = retirement
        status.reserveReason = reserve
        status.exportDestination = export
        return status.protobufBytes()
    }

    static func place(
        _ ranges: [Recs_Common_V1_SerialRange], at holder: Recs_Common_V1_Holder?, status: Recs_Common_V1_CertificateStatus,
        time: Int64, reasons: [UInt8], origin: String, _ sql: inout SQLTransaction
    ) throws {
        let holder = try resolved(holder ?? Recs_Common_V1_Holder(), &sql)
        let placement = CertificatePlacement(
            organizationID: holder.organizationId, subaccountID: holder.subaccountId, subaccountKind: holder.subaccountKind,
            status: status, changedAtMilliseconds: time, reasons: reasons, lastEvent: origin)
        for range in ranges {
            try CertificateSegments.place(try SerialRanges.parse(range, field: "serial_range"), placement, &sql)
        }
    }

    /// Fills a holder's organization and subaccount kind from the registry's subaccounts when the
    /// event left them out (transfer's deposit event names only the subaccount today).
    static func resolved(_ holder: Recs_Common_V1_Holder, _ sql: inout SQLTransaction) throws -> Recs_Common_V1_Holder {
        guard holder.organizationId.isEmpty || holder.subaccountKind == .unspecified, !holder.subaccountId.isEmpty,
            let row = try sql.queryFirst(
                "SELECT organization_id, kind FROM subaccounts WHERE subaccount_id = $1", .text(holder.subaccountId))
        else { return holder }
        var holder = holder
        if holder.organizationId.isEmpty { holder.organizationId = try row.string("organization_id") }
        if holder.subaccountKind == .unspecified {
            holder.subaccountKind = Recs_Common_V1_SubaccountKind(rawValue: Int32(clamping: try row.int64("kind")))
        }
        return holder
    }
}
