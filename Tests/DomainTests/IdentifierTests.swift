import Foundation
import Testing

@testable import Domain

@Suite("Identifiers")
struct IdentifierTests {
    // MARK: Organization ids — MCT Data File Specifications, to_organization: "start with an 'A' and are
    // followed by a one to four digit number. Examples: A1 or A9999"

    @Test(
        "MCT to_organization: valid organization ids",
        arguments: [("A1", 1), ("A9999", 9_999), ("A42", 42), ("a12", 12)])
    func organizationValid(text: String, number: Int) throws {
        let id = try OrganizationID(parsing: text)
        #expect(id.number == number)
        #expect(id.description == "A\(number)")
    }

    @Test(
        "MCT to_organization: malformed organization ids name the problem",
        arguments: [
            ("", "empty"), ("B12", "does not start"), ("A", "no number"), ("A12345", "more than 4 digits"),
            ("A01", "leading zero"), ("A0", "leading zero"), ("A1x", "other than a digit"), (" A1", "does not start"),
            ("A-1", "other than a digit"), ("AA1", "other than a digit"),
        ])
    func organizationMalformed(text: String, reason: String) {
        let error = violation { () throws(RuleViolation) in try OrganizationID(parsing: text) }
        #expect(error?.code == .organizationIDMalformed)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.section.contains("MCT") == true)
    }

    @Test("MCT to_organization: numbers outside 1...9999 are refused", arguments: [0, 10_000, -1])
    func organizationNumberRange(number: Int) {
        #expect(violation { () throws(RuleViolation) in try OrganizationID(number: number) }?.code == .organizationIDMalformed)
    }

    // MARK: Subaccount ids — MCT to_account example 1234ABCD-55ZZ; Operating Rules §6 (unique id)

    @Test("MCT to_account: the example and its lower-case spelling", arguments: ["1234ABCD-55ZZ", "1234abcd-55zz", "0000AAAA-00AA"])
    func subaccountValid(text: String) throws {
        let id = try SubaccountID(parsing: text)
        #expect(id.description == text.uppercased())
    }

    @Test(
        "MCT to_account: every position of DDDDLLLL-DDLL is checked",
        arguments: [
            ("", "0 characters"), ("1234ABCD55ZZ", "12 characters"), ("1234ABCD-55ZZZ", "14 characters"),
            ("A234ABCD-55ZZ", "a digit at position 1"), ("12341BCD-55ZZ", "a letter at position 5"),
            ("1234ABCD_55ZZ", "\"-\" at position 9"), ("1234ABCD-5AZZ", "a digit at position 11"),
            ("1234ABCD-5519", "a letter at position 12"), ("1234ÄBCD-55Z", "a letter at position 5"),
        ])
    func subaccountMalformed(text: String, reason: String) {
        let error = violation { () throws(RuleViolation) in try SubaccountID(parsing: text) }
        #expect(error?.code == .subaccountIDMalformed)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    // MARK: Generating unit ids — Operating Rules §14.1; Appendix C §4.1 (W14); MCT serial (99999)

    @Test(
        "Appendix C §3 example W14, MCT 99999: valid generating unit ids",
        arguments: ["99999", "W1234", "W14", "w14", "ABC123456789", "1"])
    func unitValid(text: String) throws {
        #expect(try GeneratingUnitID(parsing: text).description == text.uppercased())
    }

    @Test(
        "Operating Rules §14.1: malformed generating unit ids",
        arguments: ["", "W", "ABCD1", "W12-3", "1234567890", "W1.2", "12W", " W1", "W 1"])
    func unitMalformed(text: String) {
        #expect(violation { () throws(RuleViolation) in try GeneratingUnitID(parsing: text) }?.code == .generatingUnitIDMalformed)
    }

    // MARK: Reporting entity unit ids — Appendix D §5.1, Table 25: UNITID Varchar(50)

    @Test("Appendix D Table 25: UNITID up to 50 characters, kept as written")
    func reportingUnitValid() throws {
        let fifty = String(repeating: "x", count: 50)
        #expect(try ReportingEntityUnitID(parsing: fifty).description == fifty)
        #expect(try ReportingEntityUnitID(parsing: "Plant 7/Unit b").description == "Plant 7/Unit b")
    }

    @Test("Appendix D Table 25: UNITID empty, too long or with control characters", arguments: ["", String(repeating: "x", count: 51), "a\u{7}b"])
    func reportingUnitMalformed(text: String) {
        #expect(violation { () throws(RuleViolation) in try ReportingEntityUnitID(parsing: text) }?.code == .reportingEntityUnitIDMalformed)
    }

    // MARK: State or province — Operating Rules §4, §12.5

    @Test(
        "Operating Rules §4, §12.5: geographic scope of locations",
        arguments: [
            ("CA", StateOrProvinceCode.GeographicScope.withinWesternInterconnection), ("ab", .withinWesternInterconnection),
            ("WY", .withinWesternInterconnection), ("TX", .bisectedByWesternInterconnection),
            ("NE", .bisectedByWesternInterconnection), ("NY", .outside), ("AA", .outside),
        ])
    func geographicScope(code: String, scope: StateOrProvinceCode.GeographicScope) throws {
        let location = try StateOrProvinceCode(parsing: code)
        #expect(location.geographicScope == scope)
        #expect(location.mayHostGeneratingUnits == (scope != .outside))
    }

    @Test("Operating Rules §12.1: a location is two letters", arguments: ["", "C", "CAL", "C1", "1A"])
    func locationMalformed(code: String) {
        #expect(violation { () throws(RuleViolation) in try StateOrProvinceCode(parsing: code) }?.code == .stateOrProvinceCodeMalformed)
    }

    // MARK: Codable

    @Test("ids encode as their canonical text and validate when decoded")
    func codable() throws {
        let ids = try (OrganizationID(parsing: "a7"), SubaccountID(parsing: "1234abcd-55zz"), GeneratingUnitID(parsing: "w14"))
        let data = try JSONEncoder().encode([ids.0.description, ids.1.description, ids.2.description])
        #expect(String(decoding: data, as: UTF8.self) == #"["A7","1234ABCD-55ZZ","W14"]"#)
        #expect(try JSONDecoder().decode(OrganizationID.self, from: Data(#""A7""#.utf8)) == ids.0)
        #expect(try JSONDecoder().decode(SubaccountID.self, from: Data(#""1234ABCD-55ZZ""#.utf8)) == ids.1)
        #expect(try JSONDecoder().decode(GeneratingUnitID.self, from: Data(#""W14""#.utf8)) == ids.2)
        #expect(throws: RuleViolation.self) { try JSONDecoder().decode(OrganizationID.self, from: Data(#""B7""#.utf8)) }
    }
}
