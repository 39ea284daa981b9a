import Testing

@testable import Domain

@Suite("QRE generation extract (Appendix D §4-§6, Tables 25-27)")
struct GenerationExtractTests {
    let header = "UNITID,Vintage,BeginDate,EndDate,TotalMWh\n"

    @Test("Appendix D §4: the conforming example file")
    func example() throws {
        // The document's example has trailing spaces after the header, which the reader trims.
        let records = try GenerationExtract.parse("UNITID,Vintage,BeginDate,EndDate,TotalMWh  \n32000,10/2006,10/01/2006,10/31/2006,125\n")
        #expect(records.count == 1)
        let record = records[0]
        #expect(record.line == 2)
        #expect(record.unit.description == "32000")
        #expect(record.vintage == Fixture.vintage("10/2006"))
        #expect(record.period == Fixture.period("10/01/2006", "10/31/2006"))
        #expect(record.total == MegawattHours(wholeMegawattHours: 125))
    }

    @Test("Appendix D Table 25: several units and months, decimals, CRLF")
    func severalLines() throws {
        let text = header.replacingOccurrences(of: "\n", with: "\r\n")
            + "U-1,01/2024,01/01/2024,01/31/2024,100.25\r\nU-1,02/2024,02/01/2024,02/29/2024,0\r\nPlant B,03/2024,01/01/2024,03/31/2024,0.001\r\n"
        let records = try GenerationExtract.parse(text)
        #expect(records.map(\.total.kilowattHours) == [100_250, 0, 1])
        #expect(records.map(\.line) == [2, 3, 4])
    }

    @Test(
        "Appendix D §4: a nonconforming header is a fatal error",
        arguments: [
            "UNITID,Vintage,BeginDate,EndDate", "unitid,vintage,begindate,enddate,totalmwh", "UNITID,Vintage,BeginDate,EndDate,TotalMWh,Extra",
            "UNITID,Vintage,EndDate,BeginDate,TotalMWh", "32000,10/2006,10/01/2006,10/31/2006,125",
        ])
    func nonconformingHeader(headerLine: String) {
        let rejection = violations { () throws(RuleViolations) in
            try GenerationExtract.parse(headerLine + "\n32000,10/2006,10/01/2006,10/31/2006,125\n")
        }
        #expect(rejection?.codes == [.headerNonconforming], "the header alone is reported: the file is not read further")
        #expect(rejection?.violations.first?.line == 1)
        #expect(rejection?.violations.first?.section == "Appendix D §4")
    }

    @Test("Appendix D §4: an empty file or a header without data is refused", arguments: ["", "UNITID,Vintage,BeginDate,EndDate,TotalMWh\n"])
    func emptyFile(text: String) {
        #expect(violations { () throws(RuleViolations) in try GenerationExtract.parse(text) }?.codes == [.fileEmpty])
    }

    @Test(
        "Appendix D Tables 25 and 27: each field validation, located by line and field",
        arguments: [
            ("32000,10/2006,10/01/2006,10/31/2006", RuleViolation.Code.fieldCountMismatch, nil as String?),
            (",10/2006,10/01/2006,10/31/2006,125", .reportingEntityUnitIDMalformed, "UNITID"),
            ("\(String(repeating: "u", count: 51)),10/2006,10/01/2006,10/31/2006,125", .reportingEntityUnitIDMalformed, "UNITID"),
            ("32000,,10/01/2006,10/31/2006,125", .valueMissing, "Vintage"),
            ("32000,2006-10,10/01/2006,10/31/2006,125", .vintageMalformed, "Vintage"),
            ("32000,10/2006,10/1/2006,10/31/2006,125", .dateMalformed, "BeginDate"),
            ("32000,10/2006,10/01/2006,,125", .valueMissing, "EndDate"),
            ("32000,10/2006,10/01/2006,10/32/2006,125", .dateMalformed, "EndDate"),
            ("32000,10/2006,10/31/2006,10/01/2006,125", .periodReversed, "BeginDate"),
            ("32000,09/2006,10/01/2006,10/31/2006,125", .vintageInconsistentWithPeriod, "Vintage"),
            ("32000,08/2006,08/01/2006,10/31/2006,125", .vintageInconsistentWithPeriod, "Vintage"),
            ("32000,10/2006,10/01/2006,10/31/2006,-5", .energyNegative, "TotalMWh"),
            ("32000,10/2006,10/01/2006,10/31/2006,", .valueMissing, "TotalMWh"),
            ("32000,10/2006,10/01/2006,10/31/2006,12.5.1", .energyMalformed, "TotalMWh"),
            ("32000,10/2006,10/01/2006,10/31/2006,1.2345", .energyMalformed, "TotalMWh"),
        ])
    func fieldValidation(line: String, code: RuleViolation.Code, field: String?) {
        let rejection = violations { () throws(RuleViolations) in try GenerationExtract.parse(header + line + "\n") }
        #expect(rejection?.codes == [code], "\(rejection?.description ?? "")")
        #expect(rejection?.violations.first?.line == 2)
        #expect(rejection?.violations.first?.field == field)
    }

    @Test("Appendix D §6.1: every bad line and every bad field is reported, and one bad line rejects the file")
    func collectsEverything() {
        let text = header
            + "A,10/2006,10/01/2006,10/31/2006,125\n"
            + "B,13/2006,10/01/2006,10/31/2006,-1\n"
            + "C,10/2006,10/01/2006,10/31/2006,125\n"
            + "D,10/2006,11/01/2006,10/31/2006,abc\n"
        let rejection = violations { () throws(RuleViolations) in try GenerationExtract.parse(text) }
        #expect(rejection?.lines == [3, 5])
        #expect(rejection?.codes == [.vintageMalformed, .energyNegative, .energyMalformed, .periodReversed])
    }

    @Test("Appendix D Table 27: two lines covering the same days of a unit overlap; other units do not matter")
    func overlapWithinFile() {
        let text = header
            + "A,10/2006,10/01/2006,10/31/2006,125\n"
            + "B,10/2006,10/01/2006,10/31/2006,125\n"
            + "A,11/2006,10/31/2006,11/30/2006,125\n"
        let rejection = violations { () throws(RuleViolations) in try GenerationExtract.parse(text) }
        #expect(rejection?.codes == [.periodOverlap])
        #expect(rejection?.violations.first?.line == 4)
        #expect(rejection?.violations.first?.message.contains("line 2") == true)
    }

    @Test("Appendix D Table 27: a period that has not ended by the upload day is refused")
    func periodNotEnded() throws {
        let text = header + "A,03/2024,03/01/2024,03/31/2024,1\n"
        #expect(violations { () throws(RuleViolations) in try GenerationExtract.parse(text, receivedOn: Fixture.day("03/31/2024")) }?.codes == [.periodNotEnded])
        #expect(try GenerationExtract.parse(text, receivedOn: Fixture.day("04/01/2024")).count == 1)
    }

    @Test("quoted values are accepted as what they contain")
    func quotedValues() throws {
        let records = try GenerationExtract.parse(header + "\"Unit, North\",10/2006,10/01/2006,10/31/2006,\"125\"\n")
        #expect(records.first?.unit.description == "Unit, North")
    }
}
