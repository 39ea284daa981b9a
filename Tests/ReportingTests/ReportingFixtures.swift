import ProtoMessages
import ReportingCore

/// Hand-built events of the three feeds, as the services publish them (docs/API.md, event feeds):
/// account holder A1 (Active and Retirement subaccounts), account holder A3, QRE A2; unit 99999
/// (approved, wind and solar) and unit 88888 (registered only); batch 123 of 100 certificates of
/// unit 99999 deposited into A1's Active subaccount.
enum Fixtures {
    static let a1Active = "1001AAAA-01AA"
    static let a1Retirement = "1001AAAA-02AA"
    static let a3Active = "3003CCCC-03CC"
    static let batch = "99999-CA-123"
    /// 2025-06-15T00:00:00Z: each event is a day later than the one before, so dates differ.
    static let start: Int64 = 1_749_945_600
    static let day: Int64 = 86_400

    static func timestamp(day index: Int64) -> Recs_Common_V1_Timestamp {
        var timestamp = Recs_Common_V1_Timestamp()
        timestamp.unixSeconds = start + index * day
        return timestamp
    }

    static func date(_ year: Int32, _ month: Int32, _ day: Int32) -> Recs_Common_V1_Date {
        var date = Recs_Common_V1_Date()
        date.year = year
        date.month = month
        date.day = day
        return date
    }

    // MARK: registry

    static func subaccount(_ id: String, _ organization: String, _ kind: Recs_Common_V1_SubaccountKind) -> Recs_Registry_V1_Subaccount {
        var subaccount = Recs_Registry_V1_Subaccount()
        subaccount.subaccountId = id
        subaccount.organizationId = organization
        subaccount.kind = kind
        return subaccount
    }

    static func organization(
        _ id: String, _ name: String, type: Recs_Common_V1_OrganizationType = .accountHolder,
        status: Recs_Registry_V1_OrganizationStatus = .active, subaccounts: [Recs_Registry_V1_Subaccount] = []
    ) -> Recs_Registry_V1_Organization {
        var organization = Recs_Registry_V1_Organization()
        organization.organizationId = id
        organization.name = name
        organization.type = type
        organization.status = status
        var contact = Recs_Common_V1_ContactInformation()
        contact.contactName = "Contact of \(name)"
        contact.email = "\(id.lowercased())@example.org"
        organization.contact = contact
        organization.subaccounts = subaccounts
        return organization
    }

    static func fuel(_ code: String, _ sources: [String]) -> Recs_Registry_V1_UnitFuel {
        var fuel = Recs_Registry_V1_UnitFuel()
        fuel.fuelTypeCode = code
        fuel.fuelSourceCodes = sources
        return fuel
    }

    static func unit(
        _ id: String, organization: String, status: Recs_Registry_V1_GeneratingUnitStatus, fuels: [Recs_Registry_V1_UnitFuel]
    ) -> Recs_Registry_V1_GeneratingUnit {
        var unit = Recs_Registry_V1_GeneratingUnit()
        unit.generatingUnitId = id
        unit.organizationId = organization
        unit.status = status
        var data = Recs_Registry_V1_GeneratingUnitStaticData()
        data.name = "Unit \(id)"
        data.facilityName = "Facility \(id)"
        data.facilityCounty = "Kern"
        data.stateOrProvince = "CA"
        data.country = "US"
        data.multiFuel = fuels.count > 1
        data.fuels = fuels
        data.commencedOperationOn = date(2020, 6, 1)
        data.nameplateCapacityWatts = 2_000_000
        data.ownershipTypes = [.investorOwnedUtility]
        unit.staticData = data
        unit.unitClass = .b
        var designation = Recs_Registry_V1_ReportingEntityDesignation()
        designation.type = .qualifiedReportingEntity
        designation.reportingEntityOrganizationId = "A2"
        designation.reportingEntityUnitId = "UNIT-\(id)"
        unit.reportingEntity = designation
        return unit
    }

    static func registryEvent(_ sequence: Int64, _ payload: Recs_Registry_V1_Event.OneOf_Payload?) -> Recs_Registry_V1_Event {
        var event = Recs_Registry_V1_Event()
        event.sequence = sequence
        event.at = timestamp(day: 0)
        event.action = "Test"
        event.payload = payload
        return event
    }

    /// Organizations A1, A2 (QRE), A3, then units 99999 (registered, then approved) and 88888.
    static func registryEvents() -> [Recs_Registry_V1_Event] {
        [
            registryEvent(
                1,
                .organization(
                    organization(
                        "A1", "Sunny Acres LLC",
                        subaccounts: [subaccount(a1Active, "A1", .active), subaccount(a1Retirement, "A1", .retirement)]))),
            registryEvent(2, .organization(organization("A2", "Western QRE", type: .qualifiedReportingEntity))),
            registryEvent(3, .organization(organization("A3", "Buyer Co", subaccounts: [subaccount(a3Active, "A3", .active)]))),
            registryEvent(4, .generatingUnit(unit("99999", organization: "A1", status: .registered, fuels: windAndSolar))),
            registryEvent(5, .generatingUnit(unit("99999", organization: "A1", status: .approved, fuels: windAndSolar))),
            registryEvent(6, .generatingUnit(unit("88888", organization: "A3", status: .registered, fuels: [fuel("SO1", ["SUN"])]))),
            // A payload reporting does not use: it still advances the position.
            registryEvent(7, nil),
        ]
    }

    static let windAndSolar = [fuel("WND", ["WND1"]), fuel("SO1", ["SUN", "PV"])]

    // MARK: issuance

    static func serialRange(_ text: String) -> Recs_Common_V1_SerialRange {
        var range = Recs_Common_V1_SerialRange()
        range.text = text
        return range
    }

    /// Appendix B-1 fields of batch 123: enough different values that a field lost on the way shows.
    static func attributes(facility: String = "Facility 99999") -> Recs_Common_V1_CertificateAttributes {
        var attributes = Recs_Common_V1_CertificateAttributes()
        attributes.generatingUnitId = "99999"
        attributes.generatingUnitName = "Unit 99999"
        attributes.facilityName = facility
        attributes.facilityCounty = "Kern"
        attributes.stateOrProvince = "CA"
        attributes.country = "US"
        attributes.multiFuel = true
        attributes.generationTechnology = "Wind turbine"
        attributes.fuelTypeCode = "WND"
        attributes.fuelSourceCodes = ["WND1"]
        attributes.commencedOperationOn = date(2020, 6, 1)
        attributes.nameplateCapacityWatts = 2_000_000
        attributes.facilityOperator = "Sunny Ops"
        attributes.reportingEntityType = .qualifiedReportingEntity
        attributes.reportingEntityName = "Western QRE"
        attributes.weccRegionDeclared = true
        attributes.interconnectingUtility = "PG&E"
        attributes.ownershipTypes = [.investorOwnedUtility]
        attributes.federalTaxCredits = .yes
        attributes.generatingUnitClass = .b
        var vintage = Recs_Common_V1_Vintage()
        vintage.year = 2025
        vintage.month = 5
        attributes.vintage = vintage
        attributes.createdOn = date(2025, 6, 15)
        return attributes
    }

    static func batch(facility: String = "Facility 99999") -> Recs_Common_V1_CertificateBatch {
        var batch = Recs_Common_V1_CertificateBatch()
        batch.batchNumber = 123
        batch.serialRange = serialRange("\(Self.batch)-1-100")
        batch.quantity = 100
        batch.attributes = attributes(facility: facility)
        return batch
    }

    static func issuanceEvent(_ sequence: Int64, _ payload: Recs_Issuance_V1_Event.OneOf_Payload?) -> Recs_Issuance_V1_Event {
        var event = Recs_Issuance_V1_Event()
        event.sequence = sequence
        event.at = timestamp(day: 0)
        event.action = "RunIssuanceCycle"
        event.payload = payload
        return event
    }

    // MARK: transfer

    static func holder(_ organization: String, _ subaccount: String, _ kind: Recs_Common_V1_SubaccountKind) -> Recs_Common_V1_Holder {
        var holder = Recs_Common_V1_Holder()
        holder.organizationId = organization
        holder.subaccountId = subaccount
        holder.subaccountKind = kind
        return holder
    }

    static func transferEvent(_ sequence: Int64, day: Int64, _ payload: Recs_Transfer_V1_Event.OneOf_Payload?) -> Recs_Transfer_V1_Event {
        var event = Recs_Transfer_V1_Event()
        event.sequence = sequence
        event.at = timestamp(day: day)
        event.action = "Test"
        event.payload = payload
        return event
    }

    /// The deposit as transfer publishes it today: the batch without attributes, the holder by
    /// subaccount only (no organization, resolved from the registry feed).
    static func deposit(_ sequence: Int64, day: Int64) -> Recs_Transfer_V1_Event {
        var deposited = Recs_Transfer_V1_CertificatesDeposited()
        var batch = Recs_Common_V1_CertificateBatch()
        batch.batchNumber = 123
        batch.serialRange = serialRange("\(Self.batch)-1-100")
        batch.quantity = 100
        deposited.batch = batch
        var placement = Recs_Transfer_V1_Placement()
        placement.serialRange = serialRange("\(Self.batch)-1-100")
        placement.holder = holder("", a1Active, .active)
        placement.status = .active
        deposited.placements = [placement]
        return transferEvent(sequence, day: day, .certificatesDeposited(deposited))
    }

    /// The inter-account transfer of 1-40 from A1 to A3 in `state`.
    static func transfer(_ sequence: Int64, day: Int64, state: Recs_Transfer_V1_TransferState) -> Recs_Transfer_V1_Event {
        var transfer = Recs_Transfer_V1_Transfer()
        transfer.transferId = "T1"
        transfer.kind = .interAccount
        transfer.state = state
        transfer.fromOrganizationId = "A1"
        transfer.fromSubaccountId = a1Active
        transfer.toOrganizationId = "A3"
        if state == .completed { transfer.toSubaccountId = a3Active }
        transfer.serialRanges = [serialRange("\(Self.batch)-1-40")]
        transfer.quantity = 40
        return transferEvent(sequence, day: day, .transfer(transfer))
    }

    static let a1Export = "1001AAAA-04AA"

    static var retirementReason: Recs_Common_V1_RetirementReason {
        var reason = Recs_Common_V1_RetirementReason()
        reason.category = .voluntaryMarketActivity
        reason.details = "Green-e claim 2025"
        return reason
    }

    static var exportDestination: Recs_Common_V1_ExportDestination {
        var destination = Recs_Common_V1_ExportDestination()
        destination.trackingSystemId = "MRETS"
        destination.recipientAccountId = "M-42"
        destination.recipientName = "Northern Buyer"
        return destination
    }

    /// A ledger movement of `text` to A1's Export subaccount (§17.1): requested, then done.
    static func export(_ sequence: Int64, day: Int64, _ text: String, kind: Recs_Transfer_V1_MovementKind) -> Recs_Transfer_V1_Event {
        var movement = Recs_Transfer_V1_LedgerMovement()
        movement.kind = kind
        movement.serialRanges = [serialRange(text)]
        movement.from = holder("A1", a1Active, .active)
        switch kind {
        case .exportRequested:
            movement.status = .exportPending
        default:
            movement.to = holder("A1", a1Export, .export)
            movement.status = .exported
        }
        movement.referenceId = "E1"
        movement.exportDestination = exportDestination
        return transferEvent(sequence, day: day, .ledgerMovement(movement))
    }

    /// Retirement of 41-50 from A1's Active into its Retirement subaccount (§16).
    static func retirement(_ sequence: Int64, day: Int64) -> Recs_Transfer_V1_Event {
        var transaction = Recs_Transfer_V1_LedgerTransaction()
        transaction.transactionId = "R1"
        transaction.kind = .retirement
        transaction.serialRanges = [serialRange("\(Self.batch)-41-50")]
        transaction.quantity = 10
        transaction.from = holder("A1", a1Active, .active)
        transaction.to = holder("A1", a1Retirement, .retirement)
        transaction.retirementReason = retirementReason
        return transferEvent(sequence, day: day, .ledgerTransaction(transaction))
    }
}
