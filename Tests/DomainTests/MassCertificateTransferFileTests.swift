import Testing

@testable import Domain

@Suite("Mass Certificate Transfer upload (MCT Data File Specifications)")
struct MassCertificateTransferFileTests {
    let header = "serial_number,quantity,to_organization,to_account,notes\n"

    @Test("MCT: an external and an internal transfer")
    func valid() throws {
        let lines = try MassCertificateTransferFile.parse(
            header + "99999-AA-123456-1-100,40,A9999,,for Q1 deal\n99999-AA-123456-101-200,100,,1234ABCD-55ZZ,\n")
        #expect(lines.count == 2)
        #expect(lines[0].destination == .organization(try OrganizationID(parsing: "A9999")))
        #expect(lines[0].requiresAcceptance)
        #expect(lines[0].transferredRange.description == "99999-AA-123456-1-40")
        #expect(lines[0].notes == "for Q1 deal")
        #expect(lines[1].destination == .activeSubaccount(try SubaccountID(parsing: "1234ABCD-55ZZ")))
        #expect(!lines[1].requiresAcceptance)
        #expect(lines[1].notes == nil)
        #expect(lines[1].transferredRange == lines[1].serialRange)
    }

    @Test("MCT: a byte order mark, CRLF and quoted notes with commas are accepted")
    func spreadsheetOutput() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((header + "99999-AA-1-1-10,5,A1,,\"net, of fees\"\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(try MassCertificateTransferFile.parse(bytes).first?.notes == "net, of fees")
    }

    @Test(
        "MCT: the header with all five fields is required",
        arguments: [
            "serial_number,quantity,to_organization,to_account", "Serial_Number,Quantity,To_Organization,To_Account,Notes",
            "serial_number,quantity,to_account,to_organization,notes", "99999-AA-1-1-10,5,A1,,",
        ])
    func header(line: String) {
        let rejection = violations { () throws(RuleViolations) in try MassCertificateTransferFile.parse(line + "\n99999-AA-1-1-10,5,A1,,\n") }
        #expect(rejection?.codes == [.headerNonconforming])
        #expect(rejection?.violations.first?.section == "MCT Data File Specifications")
    }

    @Test("MCT: at most 1,000 transfer lines per file", arguments: [(1_000, true), (1_001, false)])
    func lineLimit(count: Int, accepted: Bool) throws {
        let body = (1...count).map { "99999-AA-\($0)-1-10,1,A1,,\n" }.joined()
        if accepted {
            #expect(try MassCertificateTransferFile.parse(header + body).count == count)
        } else {
            let rejection = violations { () throws(RuleViolations) in try MassCertificateTransferFile.parse(header + body) }
            #expect(rejection?.codes == [.tooManyLines])
            #expect(rejection?.violations.first?.section == "MCT Data File Specifications")
            #expect(rejection?.violations.first?.line == 1_002)
        }
    }

    @Test(
        "MCT: each line validation, with its reason",
        arguments: [
            ("99999-AA-1-1-10,5,A1,1234ABCD-55ZZ,", RuleViolation.Code.destinationAmbiguous, nil as String?),
            ("99999-AA-1-1-10,5,,,", .destinationMissing, nil),
            ("99999-AA-1-1-10,5,B12,,", .organizationIDMalformed, "to_organization"),
            ("99999-AA-1-1-10,5,A12345,,", .organizationIDMalformed, "to_organization"),
            ("99999-AA-1-1-10,5,,1234ABCD55ZZ,", .subaccountIDMalformed, "to_account"),
            ("99999-AA-1-1-10,5,A1,,\(String(repeating: "n", count: 51))", .notesTooLong, "notes"),
            ("99999-AA-1-1-10,0,A1,,", .quantityOutOfRange, "quantity"),
            ("99999-AA-1-1-10,-3,A1,,", .quantityOutOfRange, "quantity"),
            ("99999-AA-1-1-10,11,A1,,", .quantityOutOfRange, "quantity"),
            ("99999-AA-1-1-10,2.5,A1,,", .quantityMalformed, "quantity"),
            ("99999-AA-1-1-10,five,A1,,", .quantityMalformed, "quantity"),
            ("99999-AA-1-1-10,,A1,,", .valueMissing, "quantity"),
            ("99999-AA-1-1-10,99999999999999,A1,,", .quantityOutOfRange, "quantity"),
            ("99999-AA-1-10,5,A1,,", .serialNumberMalformed, "serial_number"),
            (",5,A1,,", .valueMissing, "serial_number"),
            ("99999-AA-1-1-10,5,A1", .fieldCountMismatch, nil),
            ("99999-AA-1-1-10,5,A1,,note,extra", .fieldCountMismatch, nil),
        ])
    func lineValidation(line: String, code: RuleViolation.Code, field: String?) {
        let rejection = violations { () throws(RuleViolations) in
            try MassCertificateTransferFile.parse(header + "99999-AA-7-1-10,5,A1,,ok\n" + line + "\n")
        }
        #expect(rejection?.codes == [code], "\(rejection?.description ?? "")")
        #expect(rejection?.violations.first?.line == 3)
        #expect(rejection?.violations.first?.field == field)
    }

    @Test("MCT: notes of exactly 50 characters are accepted (characters, not bytes)")
    func notesLimit() throws {
        let notes = String(repeating: "é", count: 50)
        #expect(try MassCertificateTransferFile.parse(header + "99999-AA-1-1-10,5,A1,,\(notes)\n").first?.notes == notes)
    }

    @Test("MCT Process step 3: every bad line is listed with its reason and the whole file is rejected")
    func everyBadLine() {
        let text = header
            + "99999-AA-1-1-10,5,A1,,\n"  // good
            + "99999-AA-2-1-10,0,A1,1234ABCD-55ZZ,\n"  // two problems
            + "99999-AA-3-1-10,5,A1,,\n"  // good
            + "bad,5,,,\(String(repeating: "x", count: 60))\n"  // three problems
        let rejection = violations { () throws(RuleViolations) in try MassCertificateTransferFile.parse(text) }
        #expect(rejection?.lines == [3, 5])
        #expect(rejection?.codes == [.quantityOutOfRange, .destinationAmbiguous, .serialNumberMalformed, .destinationMissing, .notesTooLong])
    }

    @Test("MCT / Operating Rules §12.1: two lines may not transfer the same certificate")
    func repeatedCertificates() {
        let text = header
            + "99999-AA-1-1-100,50,A1,,\n"  // 1-50
            + "99999-AA-1-51-100,50,A2,,\n"  // 51-100: fine
            + "99999-AA-1-40-60,5,A3,,\n"  // 40-44: already on line 2
            + "99999-AA-2-1-100,50,A1,,\n"  // other batch: fine
        let rejection = violations { () throws(RuleViolations) in try MassCertificateTransferFile.parse(text) }
        #expect(rejection?.codes == [.serialRangeRepeated])
        #expect(rejection?.lines == [4])
        #expect(rejection?.violations.first?.message.contains("line 2") == true)
    }

    @Test("MCT: internal transfers go only to Active subaccounts; never export, retire or reserve", arguments: SubaccountKind.allCases)
    func destinationKind(kind: SubaccountKind) throws {
        let line = try MassCertificateTransferFile.parse(header + "99999-AA-1-1-10,5,,1234ABCD-55ZZ,\n")[0]
        if kind == .active {
            try line.checkDestinationKind(kind)
        } else {
            let error = violation { () throws(RuleViolation) in try line.checkDestinationKind(kind) }
            #expect(error?.code == .destinationNotActive)
            #expect(error?.line == 2)
        }
    }
}
