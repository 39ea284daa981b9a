// What every CSV upload target checks: CSVReader itself (records, limits, a write-and-read-back
// round trip) and the shape of a rejection.

import Domain

enum CSVFuzz {
    /// Lines of the input as CSVReader counts them: one more than its line ends (CRLF, LF or CR).
    static func lineCount(_ input: [UInt8]) -> Int {
        var count = 1
        for (index, byte) in input.enumerated() {
            if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && (index + 1 == input.count || input[index + 1] != UInt8(ascii: "\n"))) {
                count += 1
            }
        }
        return count
    }

    /// The first line (counted as `lineCount` counts) that is not valid UTF-8, after a byte order mark.
    static func firstLineNotUTF8(_ input: [UInt8]) -> Int? {
        let text = input.starts(with: [0xEF, 0xBB, 0xBF]) ? input.dropFirst(3) : input[...]
        var line = 1
        var start = text.startIndex
        var index = text.startIndex
        while index <= text.endIndex {
            let atBreak = index == text.endIndex || text[index] == UInt8(ascii: "\n")
                || (text[index] == UInt8(ascii: "\r") && (index + 1 == text.endIndex || text[index + 1] != UInt8(ascii: "\n")))
            if atBreak {
                if String(validating: text[start..<index], as: UTF8.self) == nil { return line }
                line += 1
                start = index + 1
            }
            index += 1
        }
        return nil
    }

    static func read(_ input: [UInt8], dataRecordsMax: Int, bytesMax: Int = Limits.uploadBytesMax) -> Result<[CSVRecord], RuleViolation> {
        do throws(RuleViolation) {
            return .success(try CSVReader.read(input, dataRecordsMax: dataRecordsMax, bytesMax: bytesMax))
        } catch {
            return .failure(error)
        }
    }

    /// The codes CSVReader may throw: damage to the file's structure, never a field's meaning.
    static let structuralCodes: Set<RuleViolation.Code> = [
        .fileTooLarge, .fileNotUTF8, .quoteUnterminated, .quoteMisplaced, .fieldTooLong, .tooManyLines,
    ]

    /// Reads the input as the upload format would (`dataRecordsMax` is its limit) and checks the
    /// reader's invariants; returns the records when the input reads.
    @discardableResult
    static func checkReader(_ input: [UInt8], dataRecordsMax: Int) -> [CSVRecord]? {
        let lines = lineCount(input)
        let result = read(input, dataRecordsMax: dataRecordsMax)
        switch result {
        case .failure(let violation):
            precondition(structuralCodes.contains(violation.code), "CSVReader threw \(violation.code): \(violation)")
            checkLocated(violation, lineCount: lines)
            if violation.code == .fileNotUTF8 {
                precondition(violation.line == firstLineNotUTF8(input), "invalid UTF-8 reported on line \(violation.line ?? 0), first on line \(firstLineNotUTF8(input) ?? 0)")
            }
        case .success(let records):
            precondition(records.count <= dataRecordsMax + 1, "\(records.count - 1) data records read; at most \(dataRecordsMax)")
            var previousLine = 0
            for record in records {
                precondition(record.line > previousLine && record.line <= lines, "record line \(record.line) out of order or past the end")
                previousLine = record.line
                precondition(!record.fields.isEmpty, "a record without fields on line \(record.line)")
                for field in record.fields {
                    precondition(field.utf8.count <= Limits.fieldBytesMax, "a field of \(field.utf8.count) bytes was accepted")
                }
            }
            // Written back (every field quoted, or only where needed) and read again: the same fields.
            for quoteAll in [true, false] {
                let rendered = render(records.map(\.fields), quoteAll: quoteAll)
                guard case .success(let again) = read(rendered, dataRecordsMax: dataRecordsMax) else {
                    preconditionFailure("records written back as CSV (quoteAll: \(quoteAll)) do not read: \(read(rendered, dataRecordsMax: dataRecordsMax))")
                }
                precondition(again.map(\.fields) == records.map(\.fields), "records written back as CSV (quoteAll: \(quoteAll)) read differently")
            }
        }

        // A small record limit taken from the input: the reader stops exactly at the first record
        // beyond it, and a file within it reads as without the limit.
        let smallLimit = Int(input.last ?? 0) % 4
        let limited = read(input, dataRecordsMax: smallLimit)
        switch (result, limited) {
        case (.success(let records), .success(let limitedRecords)):
            precondition(records.count - 1 <= smallLimit && limitedRecords == records, "a limit of \(smallLimit) changed the records read")
        case (.success(let records), .failure(let violation)):
            precondition(records.count - 1 > smallLimit, "a file of \(records.count - 1) data records failed under a limit of \(smallLimit): \(violation)")
            precondition(
                violation.code == .tooManyLines && violation.line == records[smallLimit + 1].line,
                "over a limit of \(smallLimit): \(violation), expected tooManyLines on line \(records[smallLimit + 1].line)")
        case (.failure, .success):
            preconditionFailure("a file refused under the format's limit was read under a limit of \(smallLimit)")
        case (.failure, .failure):
            break
        }

        // One byte over the size limit is refused before anything else.
        if !input.isEmpty {
            guard case .failure(let violation) = read(input, dataRecordsMax: dataRecordsMax, bytesMax: input.count - 1) else {
                preconditionFailure("a file of \(input.count) bytes was read with a limit of \(input.count - 1)")
            }
            precondition(violation.code == .fileTooLarge && !violation.message.isEmpty, "oversize file: \(violation)")
        }
        if case .success(let records) = result { return records }
        return nil
    }

    /// A violation of an uploaded file names its line (the whole file's size is the one exception),
    /// says something, cites a rule and names no field the format does not have.
    static func checkLocated(_ violation: RuleViolation, lineCount: Int, fields: Set<String>? = nil) {
        precondition(!violation.message.isEmpty, "a violation without a message: \(violation.code)")
        precondition(!violation.section.isEmpty, "a violation without a section: \(violation)")
        if let line = violation.line {
            precondition(line >= 1 && line <= lineCount, "violation on line \(line) of a \(lineCount)-line file: \(violation)")
        } else {
            precondition(violation.code == .fileTooLarge, "a violation without a line: \(violation)")
        }
        if let field = violation.field, let fields {
            precondition(fields.contains(field), "a violation names the field \(field), which the format does not have: \(violation)")
        }
    }

    /// A whole file's rejection: at least one violation, each located, ordered by line.
    static func checkRejection(_ rejection: RuleViolations, input: [UInt8], fields: Set<String>) {
        precondition(!rejection.violations.isEmpty, "an empty rejection")
        let lines = lineCount(input)
        for violation in rejection.violations { checkLocated(violation, lineCount: lines, fields: fields) }
        let located = rejection.violations.map { $0.line ?? 0 }
        precondition(located == located.sorted(), "violations are not ordered by line: \(located)")
    }

    /// RFC 4180 text for `records`, LF line ends; a field is quoted always (`quoteAll`) or only when
    /// the reader would otherwise change it.
    static func render(_ records: [[String]], quoteAll: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        for fields in records {
            for (index, field) in fields.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                if quoteAll || needsQuotes(field, onlyField: fields.count == 1, atFileStart: bytes.isEmpty) {
                    bytes.append(UInt8(ascii: "\""))
                    for byte in field.utf8 {
                        if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                        bytes.append(byte)
                    }
                    bytes.append(UInt8(ascii: "\""))
                } else {
                    bytes += field.utf8
                }
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// Whether the reader would change `field` if it were written without quotes.
    static func needsQuotes(_ field: String, onlyField: Bool, atFileStart: Bool) -> Bool {
        // A record of one empty field would be a blank line, which the reader skips.
        if onlyField && field.isEmpty { return true }
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        if field.utf8.contains(where: special.contains) { return true }
        // Blanks around an unquoted field are trimmed.
        if let first = field.utf8.first, isBlank(first) { return true }
        if let last = field.utf8.last, isBlank(last) { return true }
        // A byte order mark at the very start would be taken for the file's own.
        return atFileStart && field.utf8.starts(with: [0xEF, 0xBB, 0xBF])
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// ASCII letters upper-cased, everything else as is: the identifiers' canonical spelling.
    static func asciiUppercased(_ text: some StringProtocol) -> String {
        String(decoding: text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }
}
