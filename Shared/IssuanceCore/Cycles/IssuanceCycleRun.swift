import Domain
import Foundation
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// One run of a vintage's cycle, inside its transaction.
struct IssuanceCycleRun {
    let vintageProto: Recs_Common_V1_Vintage?
    static let section = "Operating Rules §12.2, §12.6"
    /// §12.2: "WREGIS will create certificates 90 days following the end of a generation month."
    static let cycleDelayDays = 90

    static func cycleDate(_ vintage: Vintage) -> CalendarDate { vintage.lastDay.adding(days: cycleDelayDays) }

    mutating func run(_ transaction: inout JournalTransaction) throws -> Recs_Issuance_V1_RunIssuanceCycleResponse {
        guard let vintageProto else { throw ServiceErrors.invalid("vintage", "is required") }
        let vintage = try IssuanceRules.vintage(vintageProto, field: "vintage")
        let today = transaction.today
        // Certificates are made for ended months only (§12.1-§12.2; the domain's CertificateBatch).
        // The 90-day cycle date is reported but not enforced yet: see IssuanceCycle.cycle_date.
        guard vintage.lastDay < today else {
            throw ServiceErrors.failedPrecondition(
                "vintage: \(vintage) has not ended (today is \(today)); its certificates are created after the month (\(Self.section))",
                reason: "CYCLE_DATE_NOT_REACHED")
        }
        let existing = try transaction.cycle(vintage: vintage)
        var cycle = try existing ?? newCycle(vintage, &transaction)
        if existing == nil { try transaction.saveCycle(cycle, vintage: vintage) }

        var issued = false
        let byUnit = Dictionary(grouping: try transaction.unissuedPosted(vintage: vintage), by: \.entry.generatingUnitId)
        for unitID in byUnit.keys.sorted() {
            let result = try issue(unitID: unitID, entries: byUnit[unitID]!, vintage: vintage, today: today, cycle: &cycle, &transaction)
            try transaction.recordUnitResult(cycleID: cycle.issuanceCycleId, result)
            issued = issued || result.certificates > 0 || result.outcome == .belowOneMegawattHour
        }
        cycle.state = .completed
        cycle.completedAt = transaction.timestamp
        try transaction.saveCycle(cycle, vintage: vintage)
        try transaction.appendEvent(action: "RunIssuanceCycle", .issuanceCycle(cycle))

        var receipt = Recs_Issuance_V1_RunIssuanceCycleResponse()
        var reference = Recs_Issuance_V1_IssuanceCycle()
        reference.issuanceCycleId = cycle.issuanceCycleId
        receipt.cycle = reference
        receipt.alreadyCompleted = existing != nil && !issued
        return receipt
    }

    func newCycle(_ vintage: Vintage, _ transaction: inout JournalTransaction) throws -> Recs_Issuance_V1_IssuanceCycle {
        var cycle = Recs_Issuance_V1_IssuanceCycle()
        cycle.issuanceCycleId = "C\(try transaction.nextNumber("cycle"))"
        cycle.vintage = IssuanceCodes.proto(vintage)
        cycle.state = .running
        cycle.cycleDate = IssuanceCodes.proto(Self.cycleDate(vintage))
        cycle.startedAt = transaction.timestamp
        return cycle
    }

    /// One unit's share of the cycle: accepted generation plus the fraction carried forward becomes
    /// whole certificates; the rest is carried forward again (§12.6). Nothing changes for a unit that
    /// cannot earn certificates now: its generation waits on the log.
    func issue(
        unitID: String, entries: [(status: String, entry: Recs_Issuance_V1_PostedGeneration)], vintage: Vintage,
        today: CalendarDate, cycle: inout Recs_Issuance_V1_IssuanceCycle, _ transaction: inout JournalTransaction
    ) throws -> Recs_Issuance_V1_UnitIssuance {
        guard let unit = try transaction.unit(unitID) else {
            throw RPCError(.internal, "posted generation names unit \(unitID), which is not known")
        }
        var result = Recs_Issuance_V1_UnitIssuance()
        result.generatingUnitId = unitID
        result.carriedForward = IssuanceCodes.energy(unit.carriedKilowattHours)
        let accepted = entries.filter { IssuanceCodes.issuableStatuses.contains($0.status) }.map(\.entry)
        // §5.3.1: approved units only; suspended and inactive units get no certificates (§24.1, §23).
        guard unit.record.status == .approved else { return outcome(.unitNotEligible, result) }
        // §9.8.2-§9.8.3: one fuel per certificate; a multi-fuel unit needs its month's allocation.
        guard !unit.record.facility.multiFuel, let fuel = unit.record.fuels.first, unit.record.fuels.count == 1 else {
            return outcome(.fuelAllocationMissing, result)
        }
        guard !accepted.isEmpty else { return outcome(.noAcceptedGeneration, result) }

        let posted = accepted.reduce(Int64(0)) { $0 + ($1.energy?.kilowattHours ?? 0) }
        let total = MegawattHours(kilowattHours: unit.carriedKilowattHours + posted)
        let certificates = total.wholeMegawattHours
        let fraction = total.fractionRemaining.kilowattHours
        var batch: IssuedBatch?
        if certificates > 0 {
            // Built (and checked by the domain) before anything changes: a unit whose batch cannot be
            // made (a non-renewable fuel, §12.1) keeps its generation on the log.
            let number = try transaction.nextNumber("batch")
            guard let made = try? makeBatch(
                unit: unit.record, fuel: fuel, entries: accepted, vintage: vintage, quantity: certificates, today: today, number: number)
            else { return outcome(.unitNotEligible, result) }
            batch = made
        }
        for var entry in accepted {
            if entry.status == .wregisAccepted {
                // §12.3: "If the Account Holder does nothing, the system will automatically accept".
                entry.status = .accountHolderAccepted
                entry.autoAccepted = true
            }
            entry.issuanceCycleId = cycle.issuanceCycleId
            try transaction.markIssued(entry)
            try transaction.appendEvent(action: "RunIssuanceCycle", .postedGeneration(entry))
        }
        var balance = unit.balanceKilowattHours
        if let batch {
            try transaction.insertBatch(
                batch, vintage: vintage, cycleID: cycle.issuanceCycleId, organizationID: unit.record.organizationID,
                subaccountID: unit.record.depositSubaccountID)
            try transaction.appendEvent(action: "RunIssuanceCycle", .batchIssued(batch.wire))
            balance -= certificates * 1_000
            var created = logEntry(unitID, .certificatesCreated, vintage: vintage, cycle: cycle, balance: balance)
            created.energy = IssuanceCodes.energy(-certificates * 1_000)
            created.certificates = certificates
            created.batchNumber = batch.number
            created.fuelTypeCode = fuel.typeCode
            try transaction.appendLogEntry(created, action: "RunIssuanceCycle")
            cycle.certificatesIssued += certificates
            cycle.batchCount += 1
        }
        // §12.6 item 1: the fraction carried to the next cycle ("energy" is that fraction; the log's
        // balance does not change).
        var forward = logEntry(unitID, .balanceForward, vintage: vintage, cycle: cycle, balance: balance)
        forward.energy = IssuanceCodes.energy(fraction)
        try transaction.appendLogEntry(forward, action: "RunIssuanceCycle")
        try transaction.setFigures(of: unitID, carried: fraction, balance: balance)

        result.outcome = certificates > 0 ? .issued : .belowOneMegawattHour
        result.certificates = certificates
        result.energyIssued = IssuanceCodes.energy(certificates * 1_000)
        result.carriedForward = IssuanceCodes.energy(fraction)
        return result
    }

    func outcome(_ outcome: Recs_Issuance_V1_UnitIssuanceOutcome, _ result: Recs_Issuance_V1_UnitIssuance) -> Recs_Issuance_V1_UnitIssuance {
        var result = result
        result.outcome = outcome
        return result
    }

    func logEntry(
        _ unitID: String, _ kind: Recs_Issuance_V1_ActivityLogEntryKind, vintage: Vintage, cycle: Recs_Issuance_V1_IssuanceCycle,
        balance: Int64
    ) -> Recs_Issuance_V1_ActivityLogEntry {
        var entry = Recs_Issuance_V1_ActivityLogEntry()
        entry.generatingUnitId = unitID
        entry.kind = kind
        entry.vintage = IssuanceCodes.proto(vintage)
        entry.issuanceCycleId = cycle.issuanceCycleId
        entry.balanceAfter = IssuanceCodes.energy(balance)
        return entry
    }

    /// The batch with its serial range (`unit-state-batch-1-N`, ADR 0002) and the certificate fields
    /// of the unit's record on the creation date (§12.7, Appendix B-1).
    func makeBatch(
        unit: UnitRecord, fuel: UnitRecord.Fuel, entries: [Recs_Issuance_V1_PostedGeneration],
        vintage: Vintage, quantity: Int64, today: CalendarDate, number: Int64
    ) throws -> IssuedBatch {
        let data = unit.facility
        let domain = try CertificateBatch(
            identity: CertificateBatchIdentity(
                generatingUnit: GeneratingUnitID(parsing: unit.id), location: StateOrProvinceCode(parsing: data.stateOrProvince),
                batchNumber: number),
            vintage: vintage, fuelType: FuelType(code: fuel.typeCode), quantity: quantity, createdOn: today)

        var fields = CertificateFieldsRecord()
        fields.generatingUnitID = unit.id
        fields.generatingUnitName = data.name
        fields.facilityName = data.facilityName
        fields.facilityCounty = data.facilityCounty
        fields.stateOrProvince = domain.identity.location.description
        fields.country = data.country
        fields.multiFuel = data.multiFuel
        fields.generationTechnology = data.generationTechnology
        fields.fuelTypeCode = domain.fuelType.code
        fields.fuelSourceCodes = fuel.sourceCodes
        fields.commencedOperationOn = data.commencedOperationOn
        fields.nameplateCapacityWatts = data.nameplateCapacityWatts
        fields.facilityOperator = data.facilityOperator
        fields.customerSitedDistributedGeneration = data.customerSitedDistributedGeneration
        fields.reportingEntityType = unit.reportingEntity.type
        fields.weccRegionDeclared = data.weccRegionDeclared
        fields.interconnectingUtility = data.interconnectingUtility
        fields.qualifyingFacility = data.qualifyingFacility
        fields.ownershipTypes = data.ownershipTypes
        fields.californiaSupplementalPaymentReceived = data.californiaSupplementalPaymentReceived
        fields.publicBenefitFundSupport = data.publicBenefitFundSupport
        fields.federalTaxCredits = data.federalTaxCredits
        fields.repowered = data.repowered
        fields.repoweredOn = data.repoweredOn
        fields.californiaQualifyingFacilityClaimsNonRenewable = data.californiaQualifyingFacilityClaimsNonRenewable
        // §5.3.2: only eligibility verified on the creation date is stamped.
        fields.programEligibilities = unit.verifiedEligibilities.map(\.stamped)
        fields.generatingUnitClass = (unit.unitClass.map(IssuanceCodes.proto) ?? .unspecified).rawValue
        fields.vintage = CertificateFieldsRecord.Month(wire: IssuanceCodes.proto(vintage))
        fields.createdOn = StoredDate(IssuanceCodes.proto(today))
        let periods = entries.compactMap(\.period)
        if let begin = periods.compactMap(\.begin).min(by: Self.earlier), let end = periods.compactMap(\.end).max(by: Self.earlier) {
            fields.generationPeriodBegin = StoredDate(begin)
            fields.generationPeriodEnd = StoredDate(end)
            // §12.4: generation accumulated over several months carries the duration (Classes C, D, F, G, J).
            if let unitClass = unit.unitClass, unitClass.certificatesCarryAccumulationPeriod,
                (begin.year, begin.month) != (end.year, end.month)
            {
                fields.accumulationFirst = CertificateFieldsRecord.Month(year: begin.year, month: begin.month)
                fields.accumulationLast = CertificateFieldsRecord.Month(year: end.year, month: end.month)
            }
        }
        return IssuedBatch(range: domain.serialRange, fields: fields)
    }

    static func earlier(_ lhs: Recs_Common_V1_Date, _ rhs: Recs_Common_V1_Date) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
