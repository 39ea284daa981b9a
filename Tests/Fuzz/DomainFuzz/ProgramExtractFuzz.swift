// ProgramEligibilityExtract (Appendix C): what it accepts has one program, unique units, the
// columns of that program's table within their limits, and written back as a file parses to the
// same records; the units an administrator may update are enforced line by line.

import Domain

enum ProgramExtractFuzz {
    /// Every field name a violation of this format may carry.
    static let fields = Set(["Program", "UNITID", "Fuel Type"] + (1...6).map { "Attribute\($0)" })

    static func run(_ input: [UInt8]) {
        let records = CSVFuzz.checkReader(input, dataRecordsMax: Limits.programExtractRecordsMax)
        let parsed: [ProgramEligibilityRecord]
        do throws(RuleViolations) {
            parsed = try ProgramEligibilityExtract.parse(input)
        } catch {
            CSVFuzz.checkRejection(error, input: input, fields: fields)
            return
        }
        guard let records else { preconditionFailure("a file CSVReader refuses was accepted") }
        precondition(!parsed.isEmpty && parsed.count <= Limits.programExtractRecordsMax, "\(parsed.count) records accepted")
        precondition(parsed.map(\.line) == records.dropFirst().map(\.line), "accepted records are not the file's data lines")
        let program = parsed[0].program
        guard let layout = program.extractLayout else { preconditionFailure("\(program.code) has no layout but was accepted") }
        precondition(Set(parsed.map(\.unit)).count == parsed.count, "a unit appears twice")
        for (record, row) in zip(parsed, records.dropFirst()) {
            precondition(record.program == program, "line \(record.line) is for \(record.program.code), the file for \(program.code)")
            precondition(row.fields.count == 2 + (layout.hasFuelTypeColumn ? 1 : 0) + layout.attributes.count, "column count")
            // Codes are ASCII and case-insensitive: the field, its ASCII letters upper-cased, is the code.
            precondition(record.program.code == CSVFuzz.asciiUppercased(row.fields[0]), "Program \(row.fields[0].debugDescription) read as \(record.program.code)")
            if let fuelType = record.fuelType {
                precondition(fuelType.code == CSVFuzz.asciiUppercased(row.fields[2]), "Fuel Type \(row.fields[2].debugDescription) read as \(fuelType.code)")
            }
            precondition(record.unit.description == CSVFuzz.asciiUppercased(row.fields[1]), "UNITID \(row.fields[1]) became \(record.unit)")
            precondition((try? GeneratingUnitID(parsing: record.unit.description)) == record.unit, "UNITID \(record.unit) does not parse back")
            precondition((record.fuelType != nil) == layout.hasFuelTypeColumn, "fuel type on line \(record.line)")
            let number = record.certificationNumber
            precondition(
                !number.isEmpty && number.utf8.count <= Limits.programAttributeCharactersMax
                    && number.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) },
                "certification number \(number)")
            precondition((record.goodThrough != nil) == layout.attributes.contains(.goodThrough), "good-through on line \(record.line)")
            precondition(
                (record.supplementalPaymentReceived != nil) == layout.attributes.contains(.supplementalPaymentReceived)
                    && (record.supplementalEnergyPaymentEligible != nil) == layout.attributes.contains(.supplementalEnergyPaymentEligible)
                    && (record.repowered != nil) == layout.attributes.contains(.repowered),
                "California's attributes on line \(record.line)")
        }

        // Written back under the same header: the same records, on lines 2, 3, ...
        let rendered = CSVFuzz.render([records[0].fields] + parsed.map { fieldsOf($0, layout) }, quoteAll: false)
        do throws(RuleViolations) {
            let again = try ProgramEligibilityExtract.parse(rendered)
            precondition(again.map { fieldsOf($0, layout) } == parsed.map { fieldsOf($0, layout) }, "written back, the records differ")
            precondition(again.map(\.line) == Array(2..<(2 + parsed.count)), "lines of the written-back file")
        } catch {
            preconditionFailure("accepted records written back are refused: \(error)")
        }

        // The units that assigned the administrator: all of them accepts the file, all but the
        // first line's unit refuses exactly that line.
        let units = Set(parsed.map(\.unit))
        do throws(RuleViolations) {
            let granted = try ProgramEligibilityExtract.parse(input, unitsGrantingProgramAdministrator: units)
            precondition(granted == parsed, "the units that assigned the administrator changed the records")
        } catch {
            preconditionFailure("refused although every unit assigned the administrator: \(error)")
        }
        do throws(RuleViolations) {
            _ = try ProgramEligibilityExtract.parse(input, unitsGrantingProgramAdministrator: units.subtracting([parsed[0].unit]))
            preconditionFailure("accepted a unit that did not assign the administrator")
        } catch {
            precondition(
                error.codes == [.unitNotAssignedToProgram] && error.lines == [parsed[0].line]
                    && error.violations[0].field == "UNITID",
                "one unit not assigned: \(error)")
        }
    }

    /// The record as the line of a file, in the canonical spelling of each value.
    static func fieldsOf(_ record: ProgramEligibilityRecord, _ layout: (hasFuelTypeColumn: Bool, attributes: [EligibilityProgram.Attribute])) -> [String] {
        var fields = [record.program.code, record.unit.description]
        if layout.hasFuelTypeColumn { fields.append(record.fuelType?.code ?? "") }
        func yesNo(_ value: Bool?) -> String { value == true ? "Y" : "N" }
        for attribute in layout.attributes {
            switch attribute {
            case .eligible: fields.append(yesNo(record.eligible))
            case .certificationNumber: fields.append(record.certificationNumber)
            case .goodThrough: fields.append(record.goodThrough?.description ?? "")
            case .supplementalPaymentReceived: fields.append(yesNo(record.supplementalPaymentReceived))
            case .supplementalEnergyPaymentEligible: fields.append(yesNo(record.supplementalEnergyPaymentEligible))
            case .repowered: fields.append(yesNo(record.repowered))
            }
        }
        return fields
    }
}
