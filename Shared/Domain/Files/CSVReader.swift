/// One record of a CSV file and the line it starts on (1-based; the header is line 1).
public struct CSVRecord: Sendable, Hashable {
    public let line: Int
    public let fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// Splits uploaded CSV bytes into records (Appendix C §3, Appendix D §4, MCT Data File
/// Specifications all use comma-separated values with a header line).
///
/// Accepts what spreadsheets and other systems actually write: a UTF-8 byte order mark, CRLF, LF or
/// CR line ends, a trailing line end, blank lines (skipped), and RFC 4180 quoted fields (a comma,
/// line end or doubled quote inside quotes). Spaces and tabs around an unquoted field are trimmed,
/// as are those around a quoted one. Structural damage (an unterminated or misplaced quote,
/// invalid UTF-8, an oversize file, line or field) is fatal for the whole file.
public enum CSVReader {
    /// - Parameters:
    ///   - dataRecordsMax: most records after the header.
    public static func read(
        _ bytes: [UInt8], dataRecordsMax: Int, bytesMax: Int = Limits.uploadBytesMax
    ) throws(RuleViolation) -> [CSVRecord] {
        guard bytes.count <= bytesMax else {
            throw RuleViolation(
                .fileTooLarge, "the file has \(bytes.count) bytes; at most \(bytesMax) are accepted",
                section: Section.uploadLimits)
        }
        var input = bytes[...]
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input = input.dropFirst(3) }
        try checkUTF8(input)

        var reader = Reader(dataRecordsMax: dataRecordsMax)
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            let next: UInt8? = input.index(after: index) < input.endIndex ? input[input.index(after: index)] : nil
            index = input.index(after: index)
            if reader.inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if next == UInt8(ascii: "\"") {
                        try reader.append(byte)
                        index = input.index(after: index)
                    } else {
                        reader.inQuotes = false
                        reader.afterClosingQuote = true
                    }
                } else {
                    if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && next != UInt8(ascii: "\n")) {
                        reader.line += 1
                    }
                    try reader.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                reader.endField()
            case UInt8(ascii: "\r") where next == UInt8(ascii: "\n"):
                continue  // the "\n" ends the record
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try reader.endRecord()
                reader.line += 1
                reader.recordLine = reader.line
            case UInt8(ascii: "\""):
                guard !reader.fieldWasQuoted, reader.field.allSatisfy(isBlank) else {
                    throw RuleViolation(
                        .quoteMisplaced, "a quote appears inside an unquoted field or after a quoted one",
                        section: Section.csv, line: reader.line)
                }
                reader.field.removeAll()
                reader.inQuotes = true
                reader.fieldWasQuoted = true
            default:
                if reader.afterClosingQuote {
                    guard isBlank(byte) else {
                        throw RuleViolation(
                            .quoteMisplaced, "text follows the closing quote of a field", section: Section.csv,
                            line: reader.line)
                    }
                } else {
                    try reader.append(byte)
                }
            }
        }
        if reader.inQuotes {
            throw RuleViolation(
                .quoteUnterminated, "a quoted field starting on this line is never closed", section: Section.csv,
                line: reader.recordLine)
        }
        try reader.endRecord()
        return reader.records
    }

    /// Convenience for text already in memory (tests, small files).
    public static func read(_ text: String, dataRecordsMax: Int, bytesMax: Int = Limits.uploadBytesMax) throws(RuleViolation) -> [CSVRecord] {
        try read(Array(text.utf8), dataRecordsMax: dataRecordsMax, bytesMax: bytesMax)
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// Rejects invalid UTF-8, naming the first bad line as the reader numbers lines: LF, CRLF and a
    /// CR alone each end one (a file with CR line ends was reported a line number counting LFs
    /// only, found by `domain-fuzz`). Splitting there is safe: the bytes 0x0A and 0x0D never occur
    /// inside a multi-byte UTF-8 sequence.
    private static func checkUTF8(_ bytes: ArraySlice<UInt8>) throws(RuleViolation) {
        var line = 1
        var start = bytes.startIndex
        var index = bytes.startIndex
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || endsLine(bytes, at: index) {
                if String(validating: bytes[start..<index], as: UTF8.self) == nil {
                    throw RuleViolation(.fileNotUTF8, "the line is not valid UTF-8 text", section: Section.csv, line: line)
                }
                if atEnd { return }
                line += 1
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
    }

    /// Whether the byte at `index` ends a line: a LF, or a CR not followed by a LF.
    private static func endsLine(_ bytes: ArraySlice<UInt8>, at index: Int) -> Bool {
        let next = bytes.index(after: index)
        return bytes[index] == UInt8(ascii: "\n")
            || (bytes[index] == UInt8(ascii: "\r") && (next == bytes.endIndex || bytes[next] != UInt8(ascii: "\n")))
    }

    private struct Reader {
        let dataRecordsMax: Int
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var fieldWasQuoted = false
        var afterClosingQuote = false
        var line = 1
        var recordLine = 1

        init(dataRecordsMax: Int) { self.dataRecordsMax = dataRecordsMax }

        mutating func append(_ byte: UInt8) throws(RuleViolation) {
            guard field.count < Limits.fieldBytesMax else {
                throw RuleViolation(
                    .fieldTooLong, "a field is longer than \(Limits.fieldBytesMax) bytes", section: Section.uploadLimits,
                    line: recordLine)
            }
            field.append(byte)
        }

        mutating func endField() {
            var value = field[...]
            if !fieldWasQuoted {
                while let first = value.first, CSVReader.isBlank(first) { value = value.dropFirst() }
                while let last = value.last, CSVReader.isBlank(last) { value = value.dropLast() }
            }
            fields.append(String(decoding: value, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
            afterClosingQuote = false
        }

        mutating func endRecord() throws(RuleViolation) {
            let blankLine = fields.isEmpty && !fieldWasQuoted && field.allSatisfy(CSVReader.isBlank)
            if blankLine {
                field.removeAll(keepingCapacity: true)
                return
            }
            endField()
            guard records.count <= dataRecordsMax else {
                throw RuleViolation(
                    .tooManyLines, "the file has more than \(dataRecordsMax) lines after the header",
                    section: Section.uploadLimits, line: recordLine)
            }
            records.append(CSVRecord(line: recordLine, fields: fields))
            fields.removeAll(keepingCapacity: true)
        }
    }
}
