// MassCertificateTransferFile (MCT Data File Specifications): at most 1,000 lines, each moving a
// positive quantity from the start of its range to exactly one destination, with notes of at most
// 50 characters and no certificate moved twice; written back, the same lines.

import Domain

enum MassTransferFuzz {
    static let fields = Set(MassCertificateTransferFile.header)

    static func run(_ input: [UInt8]) {
        let records = CSVFuzz.checkReader(input, dataRecordsMax: Limits.mctLinesMax)
        let parsed: [MassTransferLine]
        do throws(RuleViolations) {
            parsed = try MassCertificateTransferFile.parse(input)
        } catch {
            CSVFuzz.checkRejection(error, input: input, fields: fields)
            for violation in error.violations where violation.code == .tooManyLines {
                precondition(violation.section == "MCT Data File Specifications", "the line limit cites \(violation.section)")
            }
            return
        }
        guard let records else { preconditionFailure("a file CSVReader refuses was accepted") }
        precondition(!parsed.isEmpty && parsed.count <= Limits.mctLinesMax, "\(parsed.count) transfer lines accepted")
        precondition(parsed.map(\.line) == records.dropFirst().map(\.line), "accepted lines are not the file's data lines")
        for (line, row) in zip(parsed, records.dropFirst()) { checkLine(line, row) }
        // No certificate moved twice: in each batch, sorted by first number, each range starts after
        // every earlier one ends (sorting keeps a 1,000-line file cheap to check).
        for (_, lines) in Dictionary(grouping: parsed, by: \.serialRange.batch) {
            var furthest: MassTransferLine?
            for line in lines.sorted(by: { $0.transferredRange.numbers.first < $1.transferredRange.numbers.first }) {
                if let earlier = furthest {
                    precondition(
                        line.transferredRange.numbers.first > earlier.transferredRange.numbers.last,
                        "lines \(earlier.line) and \(line.line) move one certificate twice")
                }
                if furthest.map({ line.transferredRange.numbers.last > $0.transferredRange.numbers.last }) ?? true { furthest = line }
            }
        }

        let rendered = CSVFuzz.render([MassCertificateTransferFile.header] + parsed.map(fieldsOf), quoteAll: false)
        do throws(RuleViolations) {
            let again = try MassCertificateTransferFile.parse(rendered)
            precondition(again.map(fieldsOf) == parsed.map(fieldsOf), "written back, the lines differ")
        } catch {
            preconditionFailure("accepted lines written back are refused: \(error)")
        }
    }

    static func checkLine(_ line: MassTransferLine, _ row: CSVRecord) {
        let range = line.serialRange
        precondition(range.description == CSVFuzz.asciiUppercased(row.fields[0]), "serial_number \(row.fields[0]) became \(range)")
        precondition(line.quantity >= 1 && line.quantity <= range.quantity, "quantity \(line.quantity) of \(range)")
        let moved = line.transferredRange
        precondition(
            range.contains(moved) && moved.numbers.first == range.numbers.first && moved.quantity == line.quantity,
            "line \(line.line) moves \(moved) out of \(range)")
        switch line.destination {
        case .organization(let organization):
            precondition(row.fields[3].isEmpty && line.requiresAcceptance, "to_organization with to_account")
            precondition(organization.description == CSVFuzz.asciiUppercased(row.fields[2]), "to_organization \(row.fields[2]) became \(organization)")
            precondition(organization.number >= 1 && organization.number <= 9_999, "organization \(organization.number)")
        case .activeSubaccount(let subaccount):
            precondition(row.fields[2].isEmpty && !line.requiresAcceptance, "to_account with to_organization")
            precondition(subaccount.description == CSVFuzz.asciiUppercased(row.fields[3]), "to_account \(row.fields[3]) became \(subaccount)")
        }
        if let notes = line.notes {
            precondition(!notes.isEmpty && notes == row.fields[4], "notes \(row.fields[4]) became \(notes)")
            precondition(notes.count <= Limits.mctNotesCharactersMax, "notes of \(notes.count) characters accepted")
        } else {
            precondition(row.fields[4].isEmpty, "notes \(row.fields[4]) dropped")
        }
    }

    static func fieldsOf(_ line: MassTransferLine) -> [String] {
        let destination: [String] =
            switch line.destination {
            case .organization(let organization): [organization.description, ""]
            case .activeSubaccount(let subaccount): ["", subaccount.description]
            }
        return [line.serialRange.description, String(line.quantity)] + destination + [line.notes ?? ""]
    }
}
