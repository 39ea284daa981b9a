/// One line of a program eligibility extract (Appendix C §4.1, Tables 6 to 22).
public struct ProgramEligibilityRecord: Sendable, Hashable {
    public let line: Int
    public let program: EligibilityProgram
    public let unit: GeneratingUnitID
    /// Oregon's extract carries the unit's fuel type (Table 19); nil for every other program.
    public let fuelType: FuelType?
    public let eligible: Bool
    public let certificationNumber: String
    /// The month after which the unit is no longer eligible; nil for programs without one.
    public let goodThrough: Vintage?
    /// California only (Table 9).
    public let supplementalPaymentReceived: Bool?
    /// California only (Table 9): eligible for Supplemental Energy Payments.
    public let supplementalEnergyPaymentEligible: Bool?
    /// California only (Table 9): repowered per the RPS guidelines.
    public let repowered: Bool?
}

/// The program eligibility extract that program administrators upload (Appendix C §3-§5): parsing
/// and the validations of Table 23. Any violation rejects the file ("WREGIS does not load the
/// data", §5.1), and every one is reported with its line.
///
/// The columns are Program, UNITID, (Fuel Type for Oregon), then the program's attributes in the
/// order of its table. Column names are "human-readable labels" (Table 5), so only Program and UNITID
/// are checked by name; the number of columns must match the program's table. The example file of
/// §3 shows Colorado with a fuel type and three extra attributes, which contradicts Table 13; the
/// tables are followed because Table 23 rejects "an attribute not defined in WREGIS".
public enum ProgramEligibilityExtract {
    /// - Parameter unitsGrantingProgramAdministrator: when given, every unit must be one that has
    ///   assigned this program administrator (Table 23, "Unit ID").
    public static func parse(
        _ bytes: [UInt8], unitsGrantingProgramAdministrator: Set<GeneratingUnitID>? = nil
    ) throws(RuleViolations) -> [ProgramEligibilityRecord] {
        var table = try UploadedTable(bytes, dataRecordsMax: Limits.programExtractRecordsMax, fileSection: Section.programFile)
        let (program, layout) = try fileProgram(table)

        let columnCount = 2 + (layout.hasFuelTypeColumn ? 1 : 0) + layout.attributes.count
        let headerNames = table.header.fields.map { $0.lowercased().filter { $0 != " " } }
        guard headerNames.count == columnCount, headerNames[0] == "program", headerNames[1] == "unitid" else {
            throw RuleViolations([
                RuleViolation(
                    .headerNonconforming,
                    "the header must have \(columnCount) columns for \(program.code), starting with Program and UNITID",
                    section: Section.programFile, line: table.header.line)
            ])
        }

        var records: [ProgramEligibilityRecord] = []
        var firstLineOfUnit: [GeneratingUnitID: Int] = [:]
        for row in table.rows {
            guard table.hasFieldCount(row, columnCount, section: Section.programFields) else { continue }
            let rowProgram = table.parse(row, 0, "Program") { text throws(RuleViolation) in
                try EligibilityProgram(code: text)
            }
            if let rowProgram, rowProgram != program {
                table.report(
                    RuleViolation(
                        .programMixed, "the file updates \(program.code) but this line is for \(rowProgram.code)",
                        section: Section.programFields),
                    line: row.line, field: "Program")
            }
            let unit = table.parse(row, 1, "UNITID") { text throws(RuleViolation) in try GeneratingUnitID(parsing: text) }
            if let unit {
                if let allowed = unitsGrantingProgramAdministrator, !allowed.contains(unit) {
                    table.report(
                        RuleViolation(
                            .unitNotAssignedToProgram,
                            "unit \(unit) has not assigned this program administrator to its registration",
                            section: Section.programValidations),
                        line: row.line, field: "UNITID")
                }
                if let earlier = firstLineOfUnit[unit] {
                    table.report(
                        RuleViolation(
                            .unitRepeated, "unit \(unit) already appears on line \(earlier)", section: Section.programValidations),
                        line: row.line, field: "UNITID")
                } else {
                    firstLineOfUnit[unit] = row.line
                }
            }
            var column = 2
            var fuelType: FuelType?
            if layout.hasFuelTypeColumn {
                fuelType = table.parse(row, column, "Fuel Type") { text throws(RuleViolation) in try FuelType(code: text) }
                column += 1
            }
            var values = AttributeValues()
            var attributesValid = true
            for attribute in layout.attributes {
                let name = "Attribute\(column - (layout.hasFuelTypeColumn ? 2 : 1))"
                let parsed: Bool = table.parse(row, column, name) { text throws(RuleViolation) in
                    try values.read(attribute, from: text)
                    return true
                } ?? false
                attributesValid = attributesValid && parsed
                column += 1
            }
            if let unit, rowProgram == program, attributesValid, !layout.hasFuelTypeColumn || fuelType != nil,
                let eligible = values.eligible, let certificationNumber = values.certificationNumber
            {
                records.append(
                    ProgramEligibilityRecord(
                        line: row.line, program: program, unit: unit, fuelType: fuelType, eligible: eligible,
                        certificationNumber: certificationNumber, goodThrough: values.goodThrough,
                        supplementalPaymentReceived: values.supplementalPaymentReceived,
                        supplementalEnergyPaymentEligible: values.supplementalEnergyPaymentEligible,
                        repowered: values.repowered))
            }
        }
        try table.finish()
        return records
    }

    public static func parse(
        _ text: String, unitsGrantingProgramAdministrator: Set<GeneratingUnitID>? = nil
    ) throws(RuleViolations) -> [ProgramEligibilityRecord] {
        try parse(Array(text.utf8), unitsGrantingProgramAdministrator: unitsGrantingProgramAdministrator)
    }

    /// The program the file updates, from its first data line ("identifying which Program is being
    /// updated by this file", Table 6); a wrong or untracked code rejects the file (Table 23).
    private static func fileProgram(
        _ table: UploadedTable
    ) throws(RuleViolations) -> (EligibilityProgram, (hasFuelTypeColumn: Bool, attributes: [EligibilityProgram.Attribute])) {
        let first = table.rows[0]
        let program: EligibilityProgram
        do throws(RuleViolation) {
            program = try EligibilityProgram(code: first.fields[0])
        } catch {
            throw RuleViolations([error.at(line: first.line, field: "Program")])
        }
        guard let layout = program.extractLayout else {
            throw RuleViolations([
                RuleViolation(
                    .programLayoutUndefined, "Appendix C defines no extract attributes for \(program.code) (\(program))",
                    section: Section.programValidations, line: first.line, field: "Program")
            ])
        }
        return (program, layout)
    }

    /// The attribute values of one line, filled in column by column.
    private struct AttributeValues {
        var eligible: Bool?
        var certificationNumber: String?
        var goodThrough: Vintage?
        var supplementalPaymentReceived: Bool?
        var supplementalEnergyPaymentEligible: Bool?
        var repowered: Bool?

        mutating func read(_ attribute: EligibilityProgram.Attribute, from text: String) throws(RuleViolation) {
            // "Null is not a valid value for any current WREGIS field elements" (Appendix C §3).
            guard !text.isEmpty else {
                throw RuleViolation(.valueMissing, "the value is empty; every field is required", section: Section.programFile)
            }
            switch attribute {
            case .eligible: eligible = try Self.yesNo(text)
            case .certificationNumber: certificationNumber = try Self.certificationNumber(text)
            case .goodThrough: goodThrough = try Vintage(parsing: text)
            case .supplementalPaymentReceived: supplementalPaymentReceived = try Self.yesNo(text)
            case .supplementalEnergyPaymentEligible: supplementalEnergyPaymentEligible = try Self.yesNo(text)
            case .repowered: repowered = try Self.yesNo(text)
            }
        }

        static func yesNo(_ text: String) throws(RuleViolation) -> Bool {
            switch text.uppercased() {
            case "Y": return true
            case "N": return false
            default:
                throw RuleViolation(
                    .yesNoMalformed, "\(ASCII.quoted(text)) must be \"Y\" or \"N\"", section: Section.programFields)
            }
        }

        /// "Alphanumeric ... Certification Number", Char(10).
        static func certificationNumber(_ text: String) throws(RuleViolation) -> String {
            guard text.utf8.count <= Limits.programAttributeCharactersMax else {
                throw RuleViolation(
                    .valueTooLong, "\(ASCII.quoted(text)) is longer than \(Limits.programAttributeCharactersMax) characters",
                    section: Section.programFields)
            }
            guard text.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) }) else {
                throw RuleViolation(
                    .certificationNumberMalformed, "certification number \(ASCII.quoted(text)) must be letters and digits only",
                    section: Section.programFields)
            }
            return text
        }
    }
}
