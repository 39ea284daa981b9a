import Storage

/// How a service keeps a batch's ``CertificateFieldsRecord`` (ADR 0010): every field a column of
/// its `batches` row, the program eligibilities in `batch_eligibilities` keyed by batch number and
/// position. The columns are listed once, here, with their declared types: the migration that adds
/// them, the writer and the reader all come from this list.
///
/// The unit and state as stamped are kept apart from the batch's own identity columns
/// (`certificate_generating_unit_id`, `certificate_state_or_province`), so a certificate reads back
/// exactly as issued. Optional messages are NULL columns: dates (`YYYY-MM-DD`), months (year and
/// month), the FERC licence (a date or a status) and the import origin (NULL tracking system).
public enum CertificateFieldsRows {
    /// A column's declared type: text and numbers are NOT NULL with an empty default (so they can be
    /// added to a table that has rows); optional ones are NULL when absent.
    public enum Declared: Sendable {
        case text, flag, number, optionalText, optionalNumber
    }

    public typealias Column = (name: String, type: Declared, value: SQLValue)

    /// The columns of the record, except its eligibilities.
    public static func columns(_ fields: CertificateFieldsRecord) -> [Column] {
        let license: (date: String?, status: Int64?) =
            switch fields.fercHydroLicense {
            case .date(let date)?: (date.column, nil)
            case .status(let status)?: (nil, Int64(status))
            case nil: (nil, nil)
            }
        return [
            ("certificate_generating_unit_id", .text, .text(fields.generatingUnitID)),
            ("generating_unit_name", .text, .text(fields.generatingUnitName)),
            ("facility_name", .text, .text(fields.facilityName)),
            ("facility_county", .text, .text(fields.facilityCounty)),
            ("certificate_state_or_province", .text, .text(fields.stateOrProvince)),
            ("country", .text, .text(fields.country)),
            ("multi_fuel", .flag, flag(fields.multiFuel)),
            ("generation_technology", .text, .text(fields.generationTechnology)),
            ("fuel_type_code", .text, .text(fields.fuelTypeCode)),
            ("fuel_source_codes", .text, .text(StoredList.column(fields.fuelSourceCodes))),
            ("commenced_operation_on", .optionalText, .optional(fields.commencedOperationOn?.column)),
            ("nameplate_capacity_watts", .number, .int64(fields.nameplateCapacityWatts)),
            ("facility_operator", .text, .text(fields.facilityOperator)),
            ("customer_sited", .flag, flag(fields.customerSitedDistributedGeneration)),
            ("reporting_entity_type", .number, number(fields.reportingEntityType)),
            ("reporting_entity_name", .text, .text(fields.reportingEntityName)),
            ("wecc_region_declared", .flag, flag(fields.weccRegionDeclared)),
            ("interconnecting_utility", .text, .text(fields.interconnectingUtility)),
            ("qualifying_facility", .flag, flag(fields.qualifyingFacility)),
            ("ownership_types", .text, .text(StoredList.column(numbers: fields.ownershipTypes))),
            ("california_supplemental_payment_received", .flag, flag(fields.californiaSupplementalPaymentReceived)),
            ("public_benefit_fund_support", .flag, flag(fields.publicBenefitFundSupport)),
            ("federal_tax_credits", .number, number(fields.federalTaxCredits)),
            ("ferc_hydro_license_date", .optionalText, .optional(license.date)),
            ("ferc_hydro_license_status", .optionalNumber, .optional(license.status)),
            ("repowered", .number, number(fields.repowered)),
            ("repowered_on", .optionalText, .optional(fields.repoweredOn?.column)),
            ("california_qf_claims_non_renewable", .number, number(fields.californiaQualifyingFacilityClaimsNonRenewable)),
            ("generating_unit_class", .number, number(fields.generatingUnitClass)),
            ("generation_period_begin", .optionalText, .optional(fields.generationPeriodBegin?.column)),
            ("generation_period_end", .optionalText, .optional(fields.generationPeriodEnd?.column)),
            ("vintage_year", .optionalNumber, .optional(fields.vintage.map { Int64($0.year) })),
            ("vintage_month", .optionalNumber, .optional(fields.vintage.map { Int64($0.month) })),
            ("accumulation_first_year", .optionalNumber, .optional(fields.accumulationFirst.map { Int64($0.year) })),
            ("accumulation_first_month", .optionalNumber, .optional(fields.accumulationFirst.map { Int64($0.month) })),
            ("accumulation_last_year", .optionalNumber, .optional(fields.accumulationLast.map { Int64($0.year) })),
            ("accumulation_last_month", .optionalNumber, .optional(fields.accumulationLast.map { Int64($0.month) })),
            ("created_on", .optionalText, .optional(fields.createdOn?.column)),
            ("retroactive", .flag, flag(fields.retroactive)),
            ("import_tracking_system_id", .optionalText, .optional(fields.importOrigin?.trackingSystemID)),
            ("import_original_serial_number", .optionalText, .optional(fields.importOrigin?.originalSerialNumber)),
            ("import_reimport", .optionalNumber, .optional(fields.importOrigin.map { Int64($0.reimport ? 1 : 0) })),
        ]
    }

    static func flag(_ value: Bool) -> SQLValue { .int64(value ? 1 : 0) }
    static func number(_ value: Int32) -> SQLValue { .int64(Int64(value)) }

    /// Every column name, in ``columns(_:)``'s order.
    public static let names = columns(CertificateFieldsRecord()).map(\.name)

    /// The record of a row holding ``names``, without its eligibilities.
    public static func fields(_ row: SQLRow) throws -> CertificateFieldsRecord {
        func month(_ prefix: String) throws -> CertificateFieldsRecord.Month? {
            guard let year = try row.optionalInt64("\(prefix)_year"), let month = try row.optionalInt64("\(prefix)_month") else { return nil }
            return CertificateFieldsRecord.Month(year: Int32(clamping: year), month: Int32(clamping: month))
        }
        func date(_ name: String) throws -> StoredDate? { StoredDate(column: try row.optionalString(name)) }
        func number(_ name: String) throws -> Int32 { Int32(clamping: try row.int64(name)) }

        var fields = CertificateFieldsRecord()
        fields.generatingUnitID = try row.string("certificate_generating_unit_id")
        fields.generatingUnitName = try row.string("generating_unit_name")
        fields.facilityName = try row.string("facility_name")
        fields.facilityCounty = try row.string("facility_county")
        fields.stateOrProvince = try row.string("certificate_state_or_province")
        fields.country = try row.string("country")
        fields.multiFuel = try row.bool("multi_fuel")
        fields.generationTechnology = try row.string("generation_technology")
        fields.fuelTypeCode = try row.string("fuel_type_code")
        fields.fuelSourceCodes = StoredList.codes(try row.string("fuel_source_codes"))
        fields.commencedOperationOn = try date("commenced_operation_on")
        fields.nameplateCapacityWatts = try row.int64("nameplate_capacity_watts")
        fields.facilityOperator = try row.string("facility_operator")
        fields.customerSitedDistributedGeneration = try row.bool("customer_sited")
        fields.reportingEntityType = try number("reporting_entity_type")
        fields.reportingEntityName = try row.string("reporting_entity_name")
        fields.weccRegionDeclared = try row.bool("wecc_region_declared")
        fields.interconnectingUtility = try row.string("interconnecting_utility")
        fields.qualifyingFacility = try row.bool("qualifying_facility")
        fields.ownershipTypes = StoredList.numbers(try row.string("ownership_types"))
        fields.californiaSupplementalPaymentReceived = try row.bool("california_supplemental_payment_received")
        fields.publicBenefitFundSupport = try row.bool("public_benefit_fund_support")
        fields.federalTaxCredits = try number("federal_tax_credits")
        if let licensed = try date("ferc_hydro_license_date") {
            fields.fercHydroLicense = .date(licensed)
        } else if let status = try row.optionalInt64("ferc_hydro_license_status") {
            fields.fercHydroLicense = .status(Int32(clamping: status))
        }
        fields.repowered = try number("repowered")
        fields.repoweredOn = try date("repowered_on")
        fields.californiaQualifyingFacilityClaimsNonRenewable = try number("california_qf_claims_non_renewable")
        fields.generatingUnitClass = try number("generating_unit_class")
        fields.generationPeriodBegin = try date("generation_period_begin")
        fields.generationPeriodEnd = try date("generation_period_end")
        fields.vintage = try month("vintage")
        fields.accumulationFirst = try month("accumulation_first")
        fields.accumulationLast = try month("accumulation_last")
        fields.createdOn = try date("created_on")
        fields.retroactive = try row.bool("retroactive")
        if let system = try row.optionalString("import_tracking_system_id") {
            var origin = CertificateFieldsRecord.ImportOrigin()
            origin.trackingSystemID = system
            origin.originalSerialNumber = try row.optionalString("import_original_serial_number") ?? ""
            origin.reimport = try row.optionalBool("import_reimport") ?? false
            fields.importOrigin = origin
        }
        return fields
    }

    // MARK: program eligibilities

    /// Replaces the batch's eligibilities with the record's.
    public static func saveEligibilities(_ fields: CertificateFieldsRecord, batch: Int64, _ sql: inout SQLTransaction) throws {
        try sql.execute("DELETE FROM batch_eligibilities WHERE batch_number = $1", .int64(batch))
        for (position, eligibility) in fields.programEligibilities.enumerated() {
            try sql.execute(
                """
                INSERT INTO batch_eligibilities (batch_number, position, program_code, fuel_type_code, eligible,
                    certification_number, good_through_year, good_through_month, supplemental_payment_received,
                    supplemental_energy_payment_eligible, repowered, verified, effective_at_unix_seconds)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """,
                .int64(batch), .int64(Int64(position)), .text(eligibility.programCode), .text(eligibility.fuelTypeCode),
                flag(eligibility.eligible), .text(eligibility.certificationNumber),
                .optional(eligibility.goodThrough.map { Int64($0.year) }), .optional(eligibility.goodThrough.map { Int64($0.month) }),
                number(eligibility.supplementalPaymentReceived), number(eligibility.supplementalEnergyPaymentEligible),
                number(eligibility.repowered), flag(eligibility.verified), .optional(eligibility.effectiveAtUnixSeconds))
        }
    }

    /// The batch's eligibilities, in the order they were stamped.
    public static func eligibilities(batch: Int64, _ sql: inout SQLTransaction) throws -> [CertificateFieldsRecord.Eligibility] {
        try sql.query("SELECT * FROM batch_eligibilities WHERE batch_number = $1 ORDER BY position", .int64(batch)).map { row in
            var eligibility = CertificateFieldsRecord.Eligibility()
            eligibility.programCode = try row.string("program_code")
            eligibility.fuelTypeCode = try row.string("fuel_type_code")
            eligibility.eligible = try row.bool("eligible")
            eligibility.certificationNumber = try row.string("certification_number")
            if let year = try row.optionalInt64("good_through_year"), let month = try row.optionalInt64("good_through_month") {
                eligibility.goodThrough = CertificateFieldsRecord.Month(year: Int32(clamping: year), month: Int32(clamping: month))
            }
            eligibility.supplementalPaymentReceived = Int32(clamping: try row.int64("supplemental_payment_received"))
            eligibility.supplementalEnergyPaymentEligible = Int32(clamping: try row.int64("supplemental_energy_payment_eligible"))
            eligibility.repowered = Int32(clamping: try row.int64("repowered"))
            eligibility.verified = try row.bool("verified")
            eligibility.effectiveAtUnixSeconds = try row.optionalInt64("effective_at_unix_seconds")
            return eligibility
        }
    }

    // MARK: schema

    /// The statements that add the columns to a `batches` table that has rows (except those in
    /// `existing`) and create `batch_eligibilities`.
    public static func addColumns(to table: String, except existing: Set<String> = [], _ t: ServiceSchema.Types) -> [String] {
        columns(CertificateFieldsRecord()).filter { !existing.contains($0.name) }.map { column in
            let declared =
                switch column.type {
                case .text: "TEXT NOT NULL DEFAULT ''"
                case .flag: "\(t.int) NOT NULL DEFAULT 0 CHECK (\(column.name) IN (0, 1))"
                case .number: "\(t.int) NOT NULL DEFAULT 0"
                case .optionalText: "TEXT"
                case .optionalNumber: "\(t.int)"
                }
            return "ALTER TABLE \(table) ADD COLUMN \(column.name) \(declared)"
        } + [
            """
            CREATE TABLE batch_eligibilities (
                batch_number \(t.int) NOT NULL REFERENCES \(table) (batch_number),
                position \(t.int) NOT NULL CHECK (position >= 0),
                program_code TEXT NOT NULL,
                fuel_type_code TEXT NOT NULL,
                eligible \(t.int) NOT NULL CHECK (eligible IN (0, 1)),
                certification_number TEXT NOT NULL,
                good_through_year \(t.int),
                good_through_month \(t.int),
                supplemental_payment_received \(t.int) NOT NULL,
                supplemental_energy_payment_eligible \(t.int) NOT NULL,
                repowered \(t.int) NOT NULL,
                verified \(t.int) NOT NULL CHECK (verified IN (0, 1)),
                effective_at_unix_seconds \(t.int),
                PRIMARY KEY (batch_number, position)
            )\(t.strict)
            """
        ]
    }
}
