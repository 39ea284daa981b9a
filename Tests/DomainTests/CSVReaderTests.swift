import Testing

@testable import Domain

@Suite("CSV reading (Appendix C §3, Appendix D §4, MCT Data File Specifications)")
struct CSVReaderTests {
    func read(_ text: String, dataRecordsMax: Int = 100) throws -> [[String]] {
        try CSVReader.read(text, dataRecordsMax: dataRecordsMax).map(\.fields)
    }

    @Test("Appendix D §4: header line then value lines")
    func basic() throws {
        #expect(try read("a,b,c\n1,2,3") == [["a", "b", "c"], ["1", "2", "3"]])
    }

    @Test(
        "line ends: CRLF, LF, CR, trailing newline, blank lines",
        arguments: ["a,b\r\n1,2\r\n", "a,b\n1,2\n", "a,b\r1,2\r", "a,b\n1,2", "a,b\n\n1,2\n\n\n", "a,b\r\n\r\n1,2"])
    func lineEnds(text: String) throws {
        #expect(try read(text) == [["a", "b"], ["1", "2"]])
    }

    @Test("a UTF-8 byte order mark is ignored")
    func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("serial_number,quantity\nx,1\n".utf8)
        #expect(try CSVReader.read(bytes, dataRecordsMax: 10).map(\.fields) == [["serial_number", "quantity"], ["x", "1"]])
    }

    @Test("quoted fields hold commas, doubled quotes and line ends")
    func quoted() throws {
        let records = try CSVReader.read("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,1\n", dataRecordsMax: 10)
        #expect(records.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["two\nlines", "z"], ["last", "1"]])
        #expect(records.map(\.line) == [1, 2, 3, 5], "a record is numbered by the line it starts on")
    }

    @Test("spaces around fields are trimmed, but not inside quotes")
    func trimming() throws {
        #expect(try read("a , b\n 1 ,\" 2 \" \n") == [["a", "b"], ["1", " 2 "]])
        #expect(try read("a,b\n,\n") == [["a", "b"], ["", ""]], "empty fields stay")
    }

    @Test(
        "structural damage is fatal and names its line",
        arguments: [
            ("a,b\n1,\"open\n2,3\n", RuleViolation.Code.quoteUnterminated, 2),
            ("a,b\n1,x\"y\n", .quoteMisplaced, 2),
            ("a,b\n1,\"x\"y\n", .quoteMisplaced, 2),
            ("a,b\n1,2\n3,\"\"\"\"x\n", .quoteMisplaced, 3),
        ])
    func damage(text: String, code: RuleViolation.Code, line: Int) {
        let error = violation { () throws(RuleViolation) in try CSVReader.read(text, dataRecordsMax: 10) }
        #expect(error?.code == code)
        #expect(error?.line == line)
    }

    @Test("invalid UTF-8 is refused with its line")
    func invalidUTF8() {
        let bytes = Array("a,b\n1,2\n".utf8) + [0xFF, 0x2C, 0x31]
        let error = violation { () throws(RuleViolation) in try CSVReader.read(bytes, dataRecordsMax: 10) }
        #expect(error?.code == .fileNotUTF8)
        #expect(error?.line == 3)
    }

    @Test(
        "issue 8 (domain-fuzz): invalid UTF-8 is located on the line the reader counts, whatever the line ends",
        arguments: [("\r", 3), ("\r\n", 3), ("\n", 3), ("\r\r", 5)])
    func invalidUTF8LineEnds(lineEnd: String, line: Int) {
        // Before the fix, lines were counted at LFs only: CR line ends put the error on line 1.
        let bytes = Array("a,b\(lineEnd)1,2\(lineEnd)".utf8) + [0x31, 0xD9, 0x2C, 0x32] + Array(lineEnd.utf8)
        let error = violation { () throws(RuleViolation) in try CSVReader.read(bytes, dataRecordsMax: 10) }
        #expect(error?.code == .fileNotUTF8)
        #expect(error?.line == line)
    }

    @Test("limits: file size, line count and field length")
    func limits() throws {
        let big = violation { () throws(RuleViolation) in try CSVReader.read("a,b\n1,2\n", dataRecordsMax: 10, bytesMax: 5) }
        #expect(big?.code == .fileTooLarge)
        let many = violation { () throws(RuleViolation) in try CSVReader.read("h\n1\n2\n3\n", dataRecordsMax: 2) }
        #expect(many?.code == .tooManyLines)
        #expect(many?.line == 4)
        #expect(try CSVReader.read("h\n1\n2\n", dataRecordsMax: 2).count == 3)
        let wide = violation { () throws(RuleViolation) in
            try CSVReader.read("h\n" + String(repeating: "x", count: Limits.fieldBytesMax + 1), dataRecordsMax: 2)
        }
        #expect(wide?.code == .fieldTooLong)
    }

    @Test("an empty input has no records")
    func empty() throws {
        #expect(try read("") == [])
        #expect(try read("\n\n") == [])
    }
}
