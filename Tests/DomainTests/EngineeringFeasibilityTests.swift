import Foundation
import Testing

@testable import Domain

@Suite("Engineering feasibility (Appendix D §6.1, Table 27; Operating Rules §9.5)")
struct EngineeringFeasibilityTests {
    let nameplate = try! Capacity(parsingMegawatts: "1")
    let factor = try! CapacityFactor(parsing: "0.35")
    let january = Fixture.period("01/01/2006", "01/31/2006")

    @Test("Appendix D §6.1: maximum = nameplate × capacity factor × hours × 1.02")
    func maximum() {
        // 1 MW × 0.35 × 744 h × 1.02 = 265.608 MWh, exactly.
        let maximum = EngineeringFeasibility.maximumProduction(nameplateCapacity: nameplate, capacityFactor: factor, hours: 744)
        #expect(maximum == Decimal(string: "265.608")!)
    }

    @Test(
        "Appendix D §6.1: at or below the estimate is feasible; above is a soft warning",
        arguments: [("265.608", true), ("0", true), ("100", true), ("265.609", false), ("1000", false)])
    func assess(reported: String, feasible: Bool) throws {
        let assessment = EngineeringFeasibility.assess(
            reported: try MegawattHours(parsing: reported), nameplateCapacity: nameplate, capacityFactor: factor, period: january)
        #expect(assessment.isFeasible == feasible)
    }

    @Test("Appendix D §6.1, Table 27: the soft warning carries the numbers and leaves the data pending")
    func warningNumbers() throws {
        let assessment = EngineeringFeasibility.assess(
            reported: try MegawattHours(parsing: "300"), nameplateCapacity: nameplate, capacityFactor: factor, period: january)
        guard case .softWarning(let warning) = assessment else {
            Issue.record("expected a soft warning")
            return
        }
        #expect(warning.reported == MegawattHours(wholeMegawattHours: 300))
        #expect(warning.maximum == Decimal(string: "265.608")!)
        #expect(warning.hours == 744)
        #expect(warning.description.contains("265.608"))
        #expect(warning.description.contains("Appendix D §6.1"))
        #expect(PostedGenerationStatus.afterPosting(assessment) == .wregisPending)
        #expect(PostedGenerationStatus.afterPosting(.feasible(maximum: 1)) == .wregisAccepted)
    }

    @Test("Appendix D §6.1: a small rooftop unit over one day")
    func smallUnit() throws {
        let assessment = EngineeringFeasibility.assess(
            reported: try MegawattHours(parsing: "0.025"), nameplateCapacity: try Capacity(kilowatts: 5),
            capacityFactor: try CapacityFactor(parsing: "0.2"), period: Fixture.period("06/01/2024", "06/01/2024"))
        // 0.005 MW × 0.2 × 24 h × 1.02 = 0.02448 MWh < 0.025.
        #expect(!assessment.isFeasible)
    }
}
