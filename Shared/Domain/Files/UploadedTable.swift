/// The header and data records of an uploaded CSV file, plus the violations found while reading its
/// lines. Shared by the three upload formats, which all reject the whole file on any violation and
/// report every one of them.
struct UploadedTable {
    let header: CSVRecord
    let rows: [CSVRecord]
    private(set) var violations: [RuleViolation] = []

    /// Reads the file; structural damage (no header, no data, bad quoting, too big) is fatal at once.
    init(_ bytes: [UInt8], dataRecordsMax: Int, fileSection: String) throws(RuleViolations) {
        let records: [CSVRecord]
        do throws(RuleViolation) {
            records = try CSVReader.read(bytes, dataRecordsMax: dataRecordsMax)
        } catch {
            throw RuleViolations([error])
        }
        guard let header = records.first else {
            throw RuleViolations([RuleViolation(.fileEmpty, "the file is empty; a header line is required", section: fileSection, line: 1)])
        }
        guard records.count > 1 else {
            throw RuleViolations([
                RuleViolation(.fileEmpty, "the file has a header but no data lines", section: fileSection, line: header.line)
            ])
        }
        self.header = header
        self.rows = Array(records.dropFirst())
    }

    /// Requires the header to be exactly `expected` (names compared exactly, after the reader's
    /// trimming); a nonconforming header is fatal (Appendix D §4, MCT).
    func requireHeader(_ expected: [String], section: String) throws(RuleViolations) {
        guard header.fields == expected else {
            throw RuleViolations([
                RuleViolation(
                    .headerNonconforming,
                    "the header is \"\(header.fields.joined(separator: ","))\"; it must be exactly \"\(expected.joined(separator: ","))\"",
                    section: section, line: header.line)
            ])
        }
    }

    mutating func report(_ violation: RuleViolation, line: Int, field: String? = nil) {
        violations.append(violation.at(line: line, field: field))
    }

    /// Parses one field, recording its violation (located at the line and field) and returning nil
    /// when it is bad, so a line reports every bad field, not just the first.
    mutating func parse<Value>(
        _ row: CSVRecord, _ column: Int, _ name: String, _ parser: (String) throws(RuleViolation) -> Value
    ) -> Value? {
        do throws(RuleViolation) {
            return try parser(row.fields[column])
        } catch {
            report(error, line: row.line, field: name)
            return nil
        }
    }

    /// Checks a row's field count, recording a violation when it is wrong.
    mutating func hasFieldCount(_ row: CSVRecord, _ count: Int, section: String) -> Bool {
        guard row.fields.count == count else {
            report(
                RuleViolation(
                    .fieldCountMismatch, "the line has \(row.fields.count) fields; \(count) are required", section: section),
                line: row.line)
            return false
        }
        return true
    }

    /// Throws every recorded violation, if any.
    func finish() throws(RuleViolations) {
        if !violations.isEmpty { throw RuleViolations(violations) }
    }
}
