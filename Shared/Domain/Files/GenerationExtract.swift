/// One line of a generation extract (Appendix D §5.1, Table 25).
public struct GenerationRecord: Sendable, Hashable {
    public let line: Int
    /// The reporting entity's id for the unit (UNITID).
    public let unit: ReportingEntityUnitID
    /// "Month and year of generation ... for the most recent month in the current Reporting Period".
    public let vintage: Vintage
    public let period: GenerationPeriod
    /// TotalMWh, exact to the kWh.
    public let total: MegawattHours

    public init(line: Int, unit: ReportingEntityUnitID, vintage: Vintage, period: GenerationPeriod, total: MegawattHours) {
        self.line = line
        self.unit = unit
        self.vintage = vintage
        self.period = period
        self.total = total
    }
}

/// The Qualified Reporting Entity generation extract: parsing and the validations of Table 27 that
/// need nothing but the file (Appendix D §4-§6).
///
/// Validations that need registry data are separate pure functions given that data:
/// ``GenerationContinuity`` (gap/overlap with the previous period), ``GenerationReloadRule``
/// (Table 26), ``EngineeringFeasibility``, ``GenerationReportingWindow`` and
/// ``ReportingRequirements/checkReportingPeriod(_:)``. Whether the uploader is the unit's designated
/// reporting entity is an authorization question answered before parsing.
public enum GenerationExtract {
    /// The header, exactly (Appendix D §4-§5.1).
    public static let header = ["UNITID", "Vintage", "BeginDate", "EndDate", "TotalMWh"]

    /// Parses and validates a file. Returns every record, or throws every violation found, each with
    /// its line number; one bad line rejects the file.
    ///
    /// - Parameter receivedOn: when given, a period must have ended before this day.
    public static func parse(_ bytes: [UInt8], receivedOn: CalendarDate? = nil) throws(RuleViolations) -> [GenerationRecord] {
        var table = try UploadedTable(bytes, dataRecordsMax: Limits.generationExtractRecordsMax, fileSection: Section.generationFile)
        try table.requireHeader(header, section: Section.generationFile)

        var records: [GenerationRecord] = []
        for row in table.rows {
            guard table.hasFieldCount(row, header.count, section: Section.generationFile) else { continue }
            let unit = table.parse(row, 0, "UNITID") { text throws(RuleViolation) in try ReportingEntityUnitID(parsing: text) }
            let vintage = table.parse(row, 1, "Vintage") { text throws(RuleViolation) in
                try required(text, "Vintage")
                return try Vintage(parsing: text)
            }
            let begin = table.parse(row, 2, "BeginDate") { text throws(RuleViolation) in
                try required(text, "BeginDate")
                return try CalendarDate(parsing: text)
            }
            let end = table.parse(row, 3, "EndDate") { text throws(RuleViolation) in
                try required(text, "EndDate")
                return try CalendarDate(parsing: text)
            }
            let total = table.parse(row, 4, "TotalMWh") { text throws(RuleViolation) in
                let value = try MegawattHours(parsing: text)
                guard !value.isNegative else {
                    throw RuleViolation(
                        .energyNegative, "TotalMWh \(value) is negative; generation is zero or more",
                        section: Section.generationFields)
                }
                return value
            }

            var period: GenerationPeriod?
            if let begin, let end {
                do throws(RuleViolation) {
                    period = try GenerationPeriod(begin: begin, end: end)
                } catch {
                    table.report(error, line: row.line, field: "BeginDate")
                }
            }
            if let vintage, let period, vintage != period.end.vintage {
                table.report(
                    RuleViolation(
                        .vintageInconsistentWithPeriod,
                        "vintage \(vintage) must be the month of the period's end date \(period.end) (the most recent month reported)",
                        section: Section.generationFields),
                    line: row.line, field: "Vintage")
            }
            if let receivedOn, let period, period.end >= receivedOn {
                table.report(
                    RuleViolation(
                        .periodNotEnded, "the period ends \(period.end), which is not before the upload day \(receivedOn)",
                        section: Section.generationValidations),
                    line: row.line, field: "EndDate")
            }
            if let unit, let vintage, let period, let total {
                records.append(GenerationRecord(line: row.line, unit: unit, vintage: vintage, period: period, total: total))
            }
        }
        for violation in overlapsWithinFile(records) { table.report(violation, line: violation.line!, field: violation.field) }
        try table.finish()
        return records
    }

    public static func parse(_ text: String, receivedOn: CalendarDate? = nil) throws(RuleViolations) -> [GenerationRecord] {
        try parse(Array(text.utf8), receivedOn: receivedOn)
    }

    /// Two lines of one file that cover the same day of the same unit would count that generation
    /// twice (Table 27's overlap check, applied inside the file).
    static func overlapsWithinFile(_ records: [GenerationRecord]) -> [RuleViolation] {
        var violations: [RuleViolation] = []
        for (_, unitRecords) in Dictionary(grouping: records, by: \.unit) {
            let ordered = unitRecords.sorted { ($0.period.begin, $0.line) < ($1.period.begin, $1.line) }
            var furthest: GenerationRecord?
            for record in ordered {
                if let earlier = furthest, record.period.begin <= earlier.period.end {
                    violations.append(
                        RuleViolation(
                            .periodOverlap,
                            "overlap: the period \(record.period) of unit \(record.unit) overlaps \(earlier.period) on line \(earlier.line)",
                            section: Section.generationValidations, line: record.line, field: "BeginDate"))
                }
                if furthest == nil || record.period.end > furthest!.period.end { furthest = record }
            }
        }
        return violations
    }

    /// "Null is not a valid value for any current WREGIS field elements" (Appendix D §4).
    static func required(_ text: String, _ name: String) throws(RuleViolation) {
        guard !text.isEmpty else {
            throw RuleViolation(.valueMissing, "\(name) is empty; every field is required", section: Section.generationFile)
        }
    }
}
