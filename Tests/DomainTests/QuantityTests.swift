import Foundation
import Testing

@testable import Domain

@Suite("Exact quantities: MWh to the kWh, capacity to the watt")
struct QuantityTests {
    @Test(
        "Appendix D Table 25 TotalMWh; Operating Rules §12.6 kWh precision: MWh values",
        arguments: [
            ("125", Int64(125_000)), ("125.5", 125_500), ("0.001", 1), ("125.5000", 125_500), ("0", 0), ("007.25", 7_250),
            ("-3", -3_000), ("-0.5", -500), ("100000000", 100_000_000_000),
        ])
    func megawattHoursValid(text: String, kilowattHours: Int64) throws {
        #expect(try MegawattHours(parsing: text).kilowattHours == kilowattHours)
    }

    @Test(
        "Appendix D Table 25 TotalMWh: malformed MWh values",
        arguments: [
            ("1.0001", RuleViolation.Code.energyMalformed), ("abc", .energyMalformed), ("1e3", .energyMalformed),
            (".5", .energyMalformed), ("5.", .energyMalformed), ("+5", .energyMalformed), ("1,000", .energyMalformed),
            ("-", .energyMalformed), ("1 000", .energyMalformed), ("", .valueMissing), ("100000000.001", .energyTooLarge),
            ("99999999999999999999999", .energyTooLarge),
        ])
    func megawattHoursMalformed(text: String, code: RuleViolation.Code) {
        #expect(violation { () throws(RuleViolation) in try MegawattHours(parsing: text) }?.code == code)
    }

    @Test(
        "Operating Rules §12.6: certificates for whole MWh, the fraction rolls forward",
        arguments: [(Int64(125_750), Int64(125), Int64(750)), (999, 0, 999), (3_000, 3, 0), (-2_500, 0, -2_500)])
    func wholeAndFraction(kilowattHours: Int64, whole: Int64, fraction: Int64) {
        let energy = MegawattHours(kilowattHours: kilowattHours)
        #expect(energy.wholeMegawattHours == whole)
        #expect(energy.fractionRemaining.kilowattHours == fraction)
    }

    @Test("MWh arithmetic and formatting", arguments: [(Int64(125_500), "125.5"), (1, "0.001"), (125_000, "125"), (-2_050, "-2.05"), (0, "0")])
    func formatting(kilowattHours: Int64, text: String) {
        #expect(MegawattHours(kilowattHours: kilowattHours).description == text)
        #expect(MegawattHours(kilowattHours: kilowattHours).decimalValue == Decimal(string: text)!)
    }

    @Test("MWh add and subtract exactly")
    func arithmetic() {
        let sum = MegawattHours(kilowattHours: 999) + MegawattHours(kilowattHours: 2)
        #expect(sum == MegawattHours(wholeMegawattHours: 1) + MegawattHours(kilowattHours: 1))
        #expect((sum - MegawattHours(wholeMegawattHours: 2)).isNegative)
    }

    @Test("nameplate capacity in MW, exact to the watt", arguments: [("1.5", Int64(1_500_000)), ("0.125", 125_000), ("0.0042", 4_200), ("100000", 100_000_000_000)])
    func capacityValid(text: String, watts: Int64) throws {
        #expect(try Capacity(parsingMegawatts: text).watts == watts)
    }

    @Test("nameplate capacity must be positive, finite and at watt precision", arguments: ["0", "-1", "0.0000001", "abc", "", "100001"])
    func capacityInvalid(text: String) {
        #expect(violation { () throws(RuleViolation) in try Capacity(parsingMegawatts: text) }?.code == .capacityInvalid)
    }

    @Test("Appendix D §6.1: capacity factor is a fraction in (0, 1]", arguments: [("0.35", Int64(350_000)), ("1", 1_000_000), ("0.000001", 1)])
    func capacityFactorValid(text: String, partsPerMillion: Int64) throws {
        #expect(try CapacityFactor(parsing: text).partsPerMillion == partsPerMillion)
    }

    @Test("Appendix D §6.1: capacity factors outside (0, 1] are refused", arguments: ["0", "1.01", "-0.2", "35%", "0.0000001"])
    func capacityFactorInvalid(text: String) {
        #expect(violation { () throws(RuleViolation) in try CapacityFactor(parsing: text) }?.code == .capacityFactorInvalid)
    }

    @Test("capacity and capacity factor validate when decoded")
    func decoding() {
        #expect(throws: RuleViolation.self) { try JSONDecoder().decode(Capacity.self, from: Data("0".utf8)) }
        #expect(throws: RuleViolation.self) { try JSONDecoder().decode(CapacityFactor.self, from: Data("2000000".utf8)) }
    }
}
