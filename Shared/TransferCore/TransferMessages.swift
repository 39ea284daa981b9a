import Domain
import Foundation
import GRPCWire
import Ledger
import ProtoMessages
import RPC
import ServiceKit
import Storage

/// The transfer service's conversions between its records and the API's messages, its checks of
/// request fields, and its one error mapping (docs/API.md, Errors).
enum TransferMessages {

    // MARK: Errors

    /// A ledger refusal as a status with `recs-error-details-bin`: a rule violation by its category
    /// with its code and section, anything else with a stable reason.
    static func status(_ error: LedgerError) -> RPCError {
        switch error.code {
        case .invalidRequest: return ServiceErrors.status(.invalidArgument, error.message, reason: "INVALID_REQUEST")
        case .ruleViolated:
            if let violation = error.violation { return ServiceErrors.status(violation) }
            return ServiceErrors.status(.failedPrecondition, error.message, reason: "RULE_VIOLATED")
        case .notFound: return ServiceErrors.status(.notFound, error.message, reason: "NOT_FOUND")
        case .alreadyExists: return ServiceErrors.status(.alreadyExists, error.message, reason: "ALREADY_EXISTS")
        case .requestIDReused: return ServiceErrors.status(.alreadyExists, error.message, reason: "REQUEST_ID_REUSED")
        case .conflict: return ServiceErrors.status(.aborted, error.message, reason: "CONFLICT")
        case .unavailable:
            return RPCError(.unavailable, "the transfer service's database is unavailable; retry with the same request_id")
        case .conservationBroken, .internalFailure: return RPCError(.internal, "the transfer service failed: internal error")
        }
    }

    /// Applies a ledger operation in the request's transaction; its refusals become statuses (a
    /// storage failure passes through, for the transaction to retry or fail).
    static func apply(_ operation: LedgerOperation, _ transaction: inout JournalTransaction) throws -> LedgerChange {
        do {
            let change = try operation.apply(in: &transaction.sql)
            LedgerMetrics.record(operation.name, applied: true)
            return change
        } catch let error as LedgerError {
            if let cause = error.cause, error.code == .unavailable || error.code == .conflict { throw cause }
            LedgerMetrics.record(operation.name, applied: false)
            throw status(error)
        }
    }

    /// A ledger operation built from a request (its checks of the selections).
    static func prepare(_ build: () throws(LedgerError) -> LedgerOperation) throws -> LedgerOperation {
        do throws(LedgerError) { return try build() } catch { throw status(error) }
    }

    static func requestID(_ text: String) throws -> RequestID {
        try RequestJournal.checkRequestID(text)
        do throws(LedgerError) { return try RequestID(text) } catch { throw status(error) }
    }

    /// A transfer's notes, shown to both parties: at most 50 characters, as the MCT file's notes
    /// (the WREGIS MCT specification, "Character Limit: 50"; issue 8 found 60 accepted).
    static func checkNotes(_ text: String, field: String) throws {
        guard text.count <= Limits.mctNotesCharactersMax else {
            throw ServiceErrors.status(
                RuleViolation(
                    .notesTooLong, "notes have at most \(Limits.mctNotesCharactersMax) characters; these have \(text.count)",
                    section: "WREGIS Mass Certificate Transfer, notes"), field: field)
        }
    }

    /// A free-text reason (a rejection's): bounded like a retirement reason's details.
    static func checkReason(_ text: String, field: String) throws {
        guard text.count <= Limits.reasonDetailsCharactersMax else {
            throw ServiceErrors.invalid(field, "at most \(Limits.reasonDetailsCharactersMax) characters")
        }
    }

    static func organization(_ text: String, field: String) throws -> OrganizationID {
        do throws(RuleViolation) { return try OrganizationID(parsing: text) } catch { throw ServiceErrors.status(error, field: field) }
    }

    static func subaccount(_ text: String, field: String) throws -> SubaccountID {
        do throws(RuleViolation) { return try SubaccountID(parsing: text) } catch { throw ServiceErrors.status(error, field: field) }
    }

    /// The selections of `items`: a serial range each (quantity alone is not supported yet).
    static func selections(_ items: [Recs_Transfer_V1_TransferItem]) throws -> [CertificateSelection] {
        guard !items.isEmpty else { throw ServiceErrors.invalid("items", "at least one item is required") }
        guard items.count <= LedgerLimits.selectionsPerRequestMax else {
            throw ServiceErrors.invalid("items", "at most \(LedgerLimits.selectionsPerRequestMax) items per request")
        }
        return try items.enumerated().map { index, item in
            guard let range = item.serialRange else {
                throw ServiceErrors.invalid(
                    "items[\(index)].serial_range", "a serial range is required (quantity-only items are not supported yet)")
            }
            let serials = try SerialRanges.parse(range, field: "items[\(index)].serial_range")
            if item.quantity != 0, item.quantity != serials.numbers.quantity {
                throw ServiceErrors.invalid("items[\(index)].quantity", "the quantity must match the serial range (\(serials.numbers.quantity))")
            }
            return .serials(serials)
        }
    }

    /// The one subaccount holding every selected certificate (active ones preferred), which must
    /// belong to `organization`; the ledger checks the rest.
    static func sourceSubaccount(
        of selections: [CertificateSelection], organization: String, _ transaction: inout JournalTransaction
    ) throws -> SubaccountID {
        var found: SubaccountID?
        for (index, selection) in selections.enumerated() {
            guard case .serials(let serials) = selection else { continue }
            let field = "items[\(index)].serial_range"
            guard let batch = try Ledger.batch(number: serials.batch.batchNumber, in: &transaction.sql) else {
                throw ServiceErrors.notFound("certificates \(serials)", field: field)
            }
            // A range whose unit or state is not its batch's contradicts itself (§12.1): malformed,
            // not missing.
            guard batch.identity == serials.batch else {
                throw ServiceErrors.status(
                    RuleViolation(
                        .serialNumberMalformed,
                        "\(serials) names batch \(batch.identity.batchNumber) with the wrong unit or location; the batch is \(batch.identity)",
                        section: "Operating Rules §12.1; MCT Data File Specifications, serial_number"),
                    field: field)
            }
            let containing = try Ledger.holdings(
                batchNumber: serials.batch.batchNumber, overlapping: serials.numbers, in: &transaction.sql)
            guard let first = containing.first(where: { $0.status == .active }) ?? containing.first else {
                throw ServiceErrors.notFound("certificates \(serials)", field: field)
            }
            if let found, found != first.subaccount {
                throw ServiceErrors.invalid("items", "every item of one request comes from one subaccount")
            }
            found = first.subaccount
        }
        guard let found else { throw ServiceErrors.invalid("items", "at least one item is required") }
        guard try transaction.subaccount(found.description)?.organization == organization else {
            throw ServiceErrors.status(
                RuleViolation(.wrongParty, "the certificates are not held by organization \(organization)", section: "Operating Rules §15.2"),
                field: "organization_id")
        }
        return found
    }

    // MARK: Messages

    static func timestamp(milliseconds: Int64) -> Recs_Common_V1_Timestamp {
        var proto = Recs_Common_V1_Timestamp()
        proto.unixSeconds = milliseconds / 1_000
        return proto
    }

    static func transferMessage(_ record: TransferRecord) -> Recs_Transfer_V1_Transfer {
        var proto = Recs_Transfer_V1_Transfer()
        proto.transferId = record.id
        proto.kind = .interAccount
        proto.origin = .oneTime
        proto.state =
            switch record.state {
            case .pending: .pending
            case .completed: .completed
            case .rejected: .rejected
            case .withdrawn: .withdrawn
            case .expired: .expired
            }
        proto.fromOrganizationId = record.fromOrganization
        proto.fromSubaccountId = record.fromSubaccount
        proto.toOrganizationId = record.toOrganization
        proto.toSubaccountId = record.toSubaccount
        proto.serialRanges = record.serials.map(SerialRanges.proto)
        proto.quantity = record.quantity
        proto.requestedAt = timestamp(milliseconds: record.requestedAtMilliseconds)
        proto.expiresAt = timestamp(milliseconds: record.expiresAtMilliseconds)
        if let answered = record.answeredAtMilliseconds {
            proto.answeredAt = timestamp(milliseconds: answered)
            if record.state == .completed { proto.completedAt = proto.answeredAt }
        }
        proto.notes = record.notes
        proto.reason = record.reason
        return proto
    }

    /// The transfer as `context`'s caller may see it: each party sees its own subaccount and only
    /// the other party's organization (M-RETS shows the destination organization only); a caller
    /// that may view both accounts (the administrator) sees both.
    static func visible(_ transfer: Recs_Transfer_V1_Transfer, for context: ServerContext) -> Recs_Transfer_V1_Transfer {
        var proto = transfer
        if !context.permits(.viewAccount, on: AccessTarget(organizationID: proto.fromOrganizationId)) { proto.fromSubaccountId = "" }
        if !context.permits(.viewAccount, on: AccessTarget(organizationID: proto.toOrganizationId)) { proto.toSubaccountId = "" }
        return proto
    }

    /// The domain's retirement reason as the API spells it (§16.1).
    static func retirementReason(_ reason: RetirementReason) -> Recs_Common_V1_RetirementReason {
        var proto = Recs_Common_V1_RetirementReason()
        switch reason.category {
        case .program(let program):
            proto.category = .program
            proto.programCode = program.code
        case .voluntaryMarketActivity: proto.category = .voluntaryMarketActivity
        case .other: proto.category = .other
        }
        proto.details = reason.details ?? ""
        return proto
    }

    static func ledgerTransaction(
        _ change: LedgerChange, fromOrganization: String, fromSubaccount: String, reason: Recs_Common_V1_RetirementReason?
    ) -> Recs_Transfer_V1_LedgerTransaction {
        var proto = Recs_Transfer_V1_LedgerTransaction()
        proto.transactionId = change.requestID.description
        proto.kind = .retirement
        proto.serialRanges = change.serials.map(SerialRanges.proto)
        proto.quantity = change.quantity
        var from = Recs_Common_V1_Holder()
        from.organizationId = fromOrganization
        from.subaccountId = fromSubaccount
        from.subaccountKind = .active
        proto.from = from
        var to = Recs_Common_V1_Holder()
        to.organizationId = fromOrganization
        to.subaccountId = change.subaccount.description
        to.subaccountKind = .retirement
        proto.to = to
        proto.executedAt = timestamp(milliseconds: TransferStore.milliseconds(change.at))
        proto.retirementReason = reason
        return proto
    }

    /// Where a deposited batch went: the whole batch into the deposit subaccount (forward
    /// certificate transfers, §15.5, are not implemented yet, so there is one placement).
    static func placement(of batch: CertificateBatch, organization: String, subaccount: String) -> Recs_Transfer_V1_Placement {
        var placement = Recs_Transfer_V1_Placement()
        placement.serialRange = SerialRanges.proto(batch.serialRange)
        var holder = Recs_Common_V1_Holder()
        holder.organizationId = organization
        holder.subaccountId = subaccount
        holder.subaccountKind = .active
        placement.holder = holder
        placement.status = .active
        return placement
    }

    static func deposited(_ batch: CertificateBatch, organization: String, subaccount: String) -> Recs_Transfer_V1_CertificatesDeposited {
        var deposited = Recs_Transfer_V1_CertificatesDeposited()
        var protoBatch = Recs_Common_V1_CertificateBatch()
        protoBatch.batchNumber = batch.identity.batchNumber
        protoBatch.serialRange = SerialRanges.proto(batch.serialRange)
        protoBatch.quantity = batch.certificates.quantity
        deposited.batch = protoBatch
        deposited.placements = [placement(of: batch, organization: organization, subaccount: subaccount)]
        return deposited
    }

    // MARK: Stored forms

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func transfer(_ row: SQLRow) throws -> TransferRecord {
        guard let state = TransferRecord.State(rawValue: try row.string("state")) else {
            throw StorageError(.invalidValue, "unknown transfer state")
        }
        return TransferRecord(
            id: try row.string("transfer_id"), state: state, fromOrganization: try row.string("from_organization_id"),
            fromSubaccount: try row.string("from_subaccount_id"), toOrganization: try row.string("to_organization_id"),
            toSubaccount: try row.string("to_subaccount_id"),
            serials: try decode([CertificateSerialRange].self, try row.string("serial_ranges")),
            quantity: try row.int64("quantity"), requestedAtMilliseconds: try row.int64("requested_at_unix_ms"),
            expiresAtMilliseconds: try row.int64("expires_at_unix_ms"), answeredAtMilliseconds: try row.optionalInt64("answered_at_unix_ms"),
            notes: try row.string("notes"), reason: try row.string("reason"), endedBy: try row.optionalString("ended_by_request_id"))
    }
}
