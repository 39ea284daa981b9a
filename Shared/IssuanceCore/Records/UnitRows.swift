import Domain
import ServiceKit
import Storage

/// How a ``UnitRecord`` is kept: one `units` row (beside issuance's running figures, which the
/// registry's feed never touches), its fuels in `unit_fuels` and its verified eligibility in
/// `unit_eligibilities`, every field a column (ADR 0010).
enum UnitRows {
    /// The `units` columns that hold the record, the key first, with their values. Booleans are
    /// 0 or 1 and dates `YYYY-MM-DD` (NULL when absent) on both databases.
    static func columns(_ unit: UnitRecord) -> [(name: String, value: SQLValue)] {
        let facility = unit.facility
        return [
            ("generating_unit_id", .text(unit.id)),
            ("organization_id", .text(unit.organizationID)),
            ("status", .text(unit.status.rawValue)),
            ("unit_class", .text(unit.unitClass?.rawValue ?? "")),
            ("deposit_subaccount_id", .text(unit.depositSubaccountID)),
            ("reporting_entity_type", .int64(Int64(unit.reportingEntity.type))),
            ("reporting_entity_organization_id", .text(unit.reportingEntity.organizationID)),
            ("reporting_entity_unit_id", .text(unit.reportingEntity.unitID)),
            ("name", .text(facility.name)),
            ("facility_name", .text(facility.facilityName)),
            ("facility_county", .text(facility.facilityCounty)),
            ("state_or_province", .text(facility.stateOrProvince)),
            ("country", .text(facility.country)),
            ("multi_fuel", flag(facility.multiFuel)),
            ("generation_technology", .text(facility.generationTechnology)),
            ("commenced_operation_on", .optional(facility.commencedOperationOn?.column)),
            ("nameplate_capacity_watts", .int64(facility.nameplateCapacityWatts)),
            ("capacity_factor_ppm", .int64(facility.capacityFactorPartsPerMillion)),
            ("facility_operator", .text(facility.facilityOperator)),
            ("customer_sited", flag(facility.customerSitedDistributedGeneration)),
            ("wecc_region_declared", flag(facility.weccRegionDeclared)),
            ("interconnecting_utility", .text(facility.interconnectingUtility)),
            ("qualifying_facility", flag(facility.qualifyingFacility)),
            ("ownership_types", .text(StoredList.column(numbers: facility.ownershipTypes))),
            ("california_supplemental_payment_received", flag(facility.californiaSupplementalPaymentReceived)),
            ("public_benefit_fund_support", flag(facility.publicBenefitFundSupport)),
            ("federal_tax_credits", .int64(Int64(facility.federalTaxCredits))),
            ("repowered", .int64(Int64(facility.repowered))),
            ("repowered_on", .optional(facility.repoweredOn?.column)),
            ("california_qf_claims_non_renewable", .int64(Int64(facility.californiaQualifyingFacilityClaimsNonRenewable))),
        ]
    }

    static func flag(_ value: Bool) -> SQLValue { .int64(value ? 1 : 0) }

    static let names = columns(UnitRecord(id: "")).map(\.name)

    /// Inserts the unit or replaces what the registry said of it; the running figures stay.
    static let upsertStatement = RecordStatements.upsert("units", names)

    /// Rewrites the record of a unit row that exists (the migration that made these columns).
    static let updateStatement = RecordStatements.update("units", names)

    static let selectList = (names + ["carried_kwh", "balance_kwh"]).joined(separator: ", ")

    static func save(_ unit: UnitRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute(upsertStatement, binds: columns(unit).map(\.value))
        try saveLists(unit, &sql)
    }

    /// The fuels and eligibility of the unit, replacing those stored before.
    static func saveLists(_ unit: UnitRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute("DELETE FROM unit_fuels WHERE generating_unit_id = $1", .text(unit.id))
        for (position, fuel) in unit.fuels.enumerated() {
            try sql.execute(
                "INSERT INTO unit_fuels (generating_unit_id, position, fuel_type_code, fuel_source_codes) VALUES ($1, $2, $3, $4)",
                .text(unit.id), .int64(Int64(position)), .text(fuel.typeCode), .text(StoredList.column(fuel.sourceCodes)))
        }
        try sql.execute("DELETE FROM unit_eligibilities WHERE generating_unit_id = $1", .text(unit.id))
        for (position, eligibility) in unit.verifiedEligibilities.enumerated() {
            try sql.execute(
                """
                INSERT INTO unit_eligibilities (generating_unit_id, position, program_code, fuel_type_code, eligible,
                    certification_number, good_through_year, good_through_month, supplemental_payment_received,
                    supplemental_energy_payment_eligible, repowered, effective_at_unix_seconds)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                """,
                .text(unit.id), .int64(Int64(position)), .text(eligibility.programCode), .text(eligibility.fuelTypeCode),
                flag(eligibility.eligible), .text(eligibility.certificationNumber),
                .optional(eligibility.goodThrough.map { Int64($0.year) }), .optional(eligibility.goodThrough.map { Int64($0.month) }),
                .int64(Int64(eligibility.supplementalPaymentReceived)), .int64(Int64(eligibility.supplementalEnergyPaymentEligible)),
                .int64(Int64(eligibility.repowered)), .optional(eligibility.effectiveAtUnixSeconds))
        }
    }

    /// The unit of a row selected with ``selectList``, with its fuels and eligibility.
    static func load(_ row: SQLRow, _ sql: inout SQLTransaction) throws -> StoredUnit {
        var unit = UnitRecord(id: try row.string("generating_unit_id"))
        unit.organizationID = try row.string("organization_id")
        unit.status = UnitRecord.Status(rawValue: try row.string("status")) ?? .unspecified
        unit.unitClass = GeneratingUnitClass(rawValue: try row.string("unit_class"))
        unit.depositSubaccountID = try row.string("deposit_subaccount_id")
        unit.reportingEntity = UnitRecord.ReportingEntity(
            type: Int32(clamping: try row.int64("reporting_entity_type")),
            organizationID: try row.string("reporting_entity_organization_id"), unitID: try row.string("reporting_entity_unit_id"))
        unit.facility = try facility(row)
        unit.fuels = try sql.query(
            "SELECT fuel_type_code, fuel_source_codes FROM unit_fuels WHERE generating_unit_id = $1 ORDER BY position", .text(unit.id)
        ).map { fuel in
            UnitRecord.Fuel(typeCode: try fuel.string("fuel_type_code"), sourceCodes: StoredList.codes(try fuel.string("fuel_source_codes")))
        }
        unit.verifiedEligibilities = try sql.query(
            "SELECT * FROM unit_eligibilities WHERE generating_unit_id = $1 ORDER BY position", .text(unit.id)
        ).map(eligibility)
        return StoredUnit(
            record: unit, carriedKilowattHours: try row.int64("carried_kwh"), balanceKilowattHours: try row.int64("balance_kwh"))
    }

    static func facility(_ row: SQLRow) throws -> UnitRecord.Facility {
        var facility = UnitRecord.Facility()
        facility.name = try row.string("name")
        facility.facilityName = try row.string("facility_name")
        facility.facilityCounty = try row.string("facility_county")
        facility.stateOrProvince = try row.string("state_or_province")
        facility.country = try row.string("country")
        facility.multiFuel = try row.bool("multi_fuel")
        facility.generationTechnology = try row.string("generation_technology")
        facility.commencedOperationOn = StoredDate(column: try row.optionalString("commenced_operation_on"))
        facility.nameplateCapacityWatts = try row.int64("nameplate_capacity_watts")
        facility.capacityFactorPartsPerMillion = try row.int64("capacity_factor_ppm")
        facility.facilityOperator = try row.string("facility_operator")
        facility.customerSitedDistributedGeneration = try row.bool("customer_sited")
        facility.weccRegionDeclared = try row.bool("wecc_region_declared")
        facility.interconnectingUtility = try row.string("interconnecting_utility")
        facility.qualifyingFacility = try row.bool("qualifying_facility")
        facility.ownershipTypes = StoredList.numbers(try row.string("ownership_types"))
        facility.californiaSupplementalPaymentReceived = try row.bool("california_supplemental_payment_received")
        facility.publicBenefitFundSupport = try row.bool("public_benefit_fund_support")
        facility.federalTaxCredits = Int32(clamping: try row.int64("federal_tax_credits"))
        facility.repowered = Int32(clamping: try row.int64("repowered"))
        facility.repoweredOn = StoredDate(column: try row.optionalString("repowered_on"))
        facility.californiaQualifyingFacilityClaimsNonRenewable = Int32(clamping: try row.int64("california_qf_claims_non_renewable"))
        return facility
    }

    static func eligibility(_ row: SQLRow) throws -> UnitRecord.Eligibility {
        var eligibility = UnitRecord.Eligibility()
        eligibility.programCode = try row.string("program_code")
        eligibility.fuelTypeCode = try row.string("fuel_type_code")
        eligibility.eligible = try row.bool("eligible")
        eligibility.certificationNumber = try row.string("certification_number")
        if let year = try row.optionalInt64("good_through_year"), let month = try row.optionalInt64("good_through_month") {
            eligibility.goodThrough = UnitRecord.Month(year: Int32(clamping: year), month: Int32(clamping: month))
        }
        eligibility.supplementalPaymentReceived = Int32(clamping: try row.int64("supplemental_payment_received"))
        eligibility.supplementalEnergyPaymentEligible = Int32(clamping: try row.int64("supplemental_energy_payment_eligible"))
        eligibility.repowered = Int32(clamping: try row.int64("repowered"))
        eligibility.effectiveAtUnixSeconds = try row.optionalInt64("effective_at_unix_seconds")
        return eligibility
    }
}
