// GenerationExtract (Appendix D): what it accepts is within the limits, internally consistent,
// and written back as a file parses to the same records; what it refuses is located.

import Domain

enum GenerationExtractFuzz {
    static let fields = Set(GenerationExtract.header)

    static func run(_ input: [UInt8]) {
        let records = CSVFuzz.checkReader(input, dataRecordsMax: Limits.generationExtractRecordsMax)
        let parsed: [GenerationRecord]
        do throws(RuleViolations) {
            parsed = try GenerationExtract.parse(input)
        } catch {
            CSVFuzz.checkRejection(error, input: input, fields: fields)
            return
        }
        guard let records else { preconditionFailure("a file CSVReader refuses was accepted") }
        precondition(!parsed.isEmpty && parsed.count <= Limits.generationExtractRecordsMax, "\(parsed.count) records accepted")
        precondition(parsed.map(\.line) == records.dropFirst().map(\.line), "accepted records are not the file's data lines")
        for (record, row) in zip(parsed, records.dropFirst()) { checkRecord(record, row) }
        // No two periods of one unit overlap: sorted by begin, each starts after every earlier one ends.
        for (_, records) in Dictionary(grouping: parsed, by: \.unit) {
            var furthest: GenerationRecord?
            for record in records.sorted(by: { $0.period.begin < $1.period.begin }) {
                if let earlier = furthest {
                    precondition(record.period.begin > earlier.period.end, "lines \(earlier.line) and \(record.line) overlap for one unit")
                }
                if furthest.map({ record.period.end > $0.period.end }) ?? true { furthest = record }
            }
        }

        // Written back as a file: the same records, on lines 2, 3, ...
        let rendered = CSVFuzz.render([GenerationExtract.header] + parsed.map(fieldsOf), quoteAll: false)
        let again: [GenerationRecord]
        do throws(RuleViolations) {
            again = try GenerationExtract.parse(rendered)
        } catch {
            preconditionFailure("accepted records written back are refused: \(error)")
        }
        precondition(again.map(fieldsOf) == parsed.map(fieldsOf), "accepted records written back parse differently")
        precondition(again.map(\.line) == Array(2..<(2 + parsed.count)), "lines of the written-back file")

        // The upload day: the day after the latest end accepts the file, that end refuses exactly
        // the lines ending on it.
        let latestEnd = parsed.map(\.period.end).max()!
        do throws(RuleViolations) {
            let received = try GenerationExtract.parse(input, receivedOn: latestEnd.adding(days: 1))
            precondition(received == parsed, "receivedOn changed the records")
        } catch {
            preconditionFailure("refused when received after every period: \(error)")
        }
        do throws(RuleViolations) {
            _ = try GenerationExtract.parse(input, receivedOn: latestEnd)
            preconditionFailure("accepted when received on the last day of a period")
        } catch {
            precondition(error.codes.allSatisfy { $0 == .periodNotEnded }, "received on \(latestEnd): \(error)")
            precondition(
                error.lines == parsed.filter { $0.period.end == latestEnd }.map(\.line),
                "received on \(latestEnd): refused lines \(error.lines)")
        }
    }

    static func checkRecord(_ record: GenerationRecord, _ row: CSVRecord) {
        let unit = record.unit.description
        precondition(unit == row.fields[0], "UNITID \(row.fields[0]) became \(unit)")
        precondition(!unit.isEmpty && unit.count <= Limits.reportingEntityUnitIDCharactersMax, "UNITID of \(unit.count) characters")
        precondition(record.vintage == record.period.end.vintage, "vintage \(record.vintage) is not the month of \(record.period.end)")
        precondition(record.period.begin <= record.period.end, "reversed period \(record.period)")
        precondition(
            !record.total.isNegative && record.total.kilowattHours <= Limits.generationRecordMegawattHoursMax * 1_000,
            "TotalMWh \(record.total) outside 0 to \(Limits.generationRecordMegawattHoursMax)")
        // Each value prints in the file's own format and parses back to itself.
        precondition((try? Vintage(parsing: record.vintage.description)) == record.vintage, "vintage \(record.vintage)")
        precondition((try? CalendarDate(parsing: record.period.begin.description)) == record.period.begin, "BeginDate")
        precondition((try? CalendarDate(parsing: record.period.end.description)) == record.period.end, "EndDate")
        precondition((try? MegawattHours(parsing: record.total.description)) == record.total, "TotalMWh \(record.total)")
        precondition(record.vintage.description == row.fields[1], "Vintage \(row.fields[1]) printed as \(record.vintage)")
        precondition(record.period.begin.description == row.fields[2], "BeginDate \(row.fields[2]) printed as \(record.period.begin)")
        precondition(record.period.end.description == row.fields[3], "EndDate \(row.fields[3]) printed as \(record.period.end)")
    }

    static func fieldsOf(_ record: GenerationRecord) -> [String] {
        [record.unit.description, record.vintage.description, record.period.begin.description, record.period.end.description,
         record.total.description]
    }
}
