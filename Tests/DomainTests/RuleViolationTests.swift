import Foundation
import Testing

@testable import Domain

@Suite("RuleViolation: the one error shape")
struct RuleViolationTests {
    @Test("codes are grouped by area and never collide")
    func codesAreUniqueAndGrouped() {
        let values = RuleViolation.Code.allCases.map(\.rawValue)
        #expect(Set(values).count == values.count)
        #expect(values.allSatisfy { (100..<1_100).contains($0) })
    }

    @Test("description names line, field, message and section")
    func description() {
        let violation = RuleViolation(.notesTooLong, "too long", section: "MCT", line: 7, field: "notes")
        #expect(violation.description == "line 7: notes: too long (MCT)")
        #expect(RuleViolation(.valueMissing, "empty", section: "X").description == "empty (X)")
    }

    @Test("located copies keep code, message and section")
    func locating() {
        let located = RuleViolation(.valueMissing, "empty", section: "X").at(line: 3, field: "quantity")
        #expect(located.line == 3)
        #expect(located.field == "quantity")
        #expect(located.code == .valueMissing)
    }

    @Test(
        "categories map rules to the status a caller returns",
        arguments: [
            (RuleViolation.Code.serialNumberMalformed, RuleViolation.Category.invalidArgument),
            (.transferExpired, .failedPrecondition),
            (.flowFromEndUseSubaccount, .failedPrecondition),
            (.wrongParty, .permissionDenied),
            (.withdrawalRequiresAdministrator, .permissionDenied),
            (.headerNonconforming, .invalidArgument),
        ])
    func categories(code: RuleViolation.Code, category: RuleViolation.Category) {
        #expect(RuleViolation(code, "", section: "").category == category)
    }

    @Test("a rejected file lists its violations by line, keeping order within a line")
    func violationsSortedByLine() {
        let rejection = RuleViolations([
            RuleViolation(.valueMissing, "b", section: "", line: 5),
            RuleViolation(.valueMissing, "a", section: "", line: 2),
            RuleViolation(.notesTooLong, "c", section: "", line: 5),
        ])
        #expect(rejection.violations.map(\.message) == ["a", "b", "c"])
        #expect(rejection.lines == [2, 5])
    }

    @Test("round-trips through Codable")
    func codable() throws {
        let violation = RuleViolation(.periodGap, "gap", section: "Appendix D §6.1, Table 27", line: 4, field: "BeginDate")
        let data = try JSONEncoder().encode(violation)
        #expect(try JSONDecoder().decode(RuleViolation.self, from: data) == violation)
    }
}
