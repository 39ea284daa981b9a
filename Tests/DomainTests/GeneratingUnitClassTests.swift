import Testing

@testable import Domain

@Suite("Generating unit classes (Operating Rules §9.1, Table 9-1) and reporting (Appendix D Addendum B)")
struct GeneratingUnitClassTests {
    typealias Siting = GeneratingUnitClass.Siting

    static func unit(
        balancingAuthority: Bool = false, _ siting: Siting, kilowatts: Int64, contract: Bool = false, annualMegawattHours: Int64 = 1_000
    ) -> GeneratingUnitClass.Characteristics {
        GeneratingUnitClass.Characteristics(
            reportedToBalancingAuthorityUnitByUnit: balancingAuthority, siting: siting,
            nameplateCapacity: try! Capacity(kilowatts: kilowatts), contractAllowsReadingLessOftenThanMonthly: contract,
            technicallyPossibleAnnualProduction: MegawattHours(wholeMegawattHours: annualMegawattHours))
    }

    @Test(
        "Table 9-1: classification, boundaries included",
        arguments: [
            // Class A: reported to a Balancing Authority unit by unit, whatever else is true.
            (unit(balancingAuthority: true, .customerSitedDistributedGeneration, kilowatts: 5), GeneratingUnitClass.a),
            (unit(balancingAuthority: true, .wholesale, kilowatts: 500_000, contract: true), .a),
            // Wholesale: B above 125 kW; C/D at or below depending on the contract.
            (unit(.wholesale, kilowatts: 126), .b),
            (unit(.wholesale, kilowatts: 125), .c),
            (unit(.wholesale, kilowatts: 125, contract: true), .d),
            (unit(.wholesale, kilowatts: 20_000, contract: true), .b),
            // Wholesale also serving on-site load: E, F, G.
            (unit(.wholesaleAlsoServingOnSiteLoad, kilowatts: 126), .e),
            (unit(.wholesaleAlsoServingOnSiteLoad, kilowatts: 125), .f),
            (unit(.wholesaleAlsoServingOnSiteLoad, kilowatts: 10, contract: true), .g),
            // Customer-sited distributed generation: H above 360 kW, then I or J.
            (unit(.customerSitedDistributedGeneration, kilowatts: 361), .h),
            (unit(.customerSitedDistributedGeneration, kilowatts: 360, annualMegawattHours: 31), .i),
            (unit(.customerSitedDistributedGeneration, kilowatts: 360, annualMegawattHours: 30), .j),
            (unit(.customerSitedDistributedGeneration, kilowatts: 5, annualMegawattHours: 7), .j),
            (unit(.customerSitedDistributedGeneration, kilowatts: 300, contract: true, annualMegawattHours: 500), .j),
        ])
    func classify(characteristics: GeneratingUnitClass.Characteristics, expected: GeneratingUnitClass) {
        #expect(GeneratingUnitClass.classify(characteristics) == expected)
    }

    @Test("Table 9-1: the 125 kW boundary is exact to the watt")
    func boundaryWatt() throws {
        var characteristics = Self.unit(.wholesale, kilowatts: 125)
        characteristics.nameplateCapacity = try Capacity(watts: 125_001)
        #expect(GeneratingUnitClass.classify(characteristics) == .b)
    }

    @Test(
        "Appendix D Addendum B: minimum frequency and maximum reporting period by class",
        arguments: [
            (GeneratingUnitClass.a, ReportingRequirements.Frequency.monthly, 1), (.b, .monthly, 1), (.c, .monthly, 1),
            (.d, .quarterly, 3), (.e, .monthly, 1), (.f, .monthly, 1), (.g, .quarterly, 3), (.h, .monthly, 1),
            (.i, .monthly, 1), (.j, .annually, 12),
        ])
    func addendumB(unitClass: GeneratingUnitClass, frequency: ReportingRequirements.Frequency, months: Int) {
        #expect(unitClass.reportingRequirements.minimumFrequency == frequency)
        #expect(unitClass.reportingRequirements.maximumReportingPeriodMonths == months)
    }

    @Test("Operating Rules §9.2.2, Appendix B-1, Addendum B: only Classes I and J self-report", arguments: GeneratingUnitClass.allCases)
    func selfReporting(unitClass: GeneratingUnitClass) {
        let allowed = unitClass == .i || unitClass == .j
        #expect(unitClass.allowsSelfReporting == allowed)
        #expect(unitClass.reportingRequirements.selfReportingPermitted == allowed)
        let error = allowed ? nil : violation { () throws(RuleViolation) in try unitClass.checkSelfReportingAllowed() }
        if !allowed { #expect(error?.code == .selfReportingNotAllowed) }
    }

    @Test(
        "Appendix D Addendum B: a reported period may not span more calendar months than the class allows",
        arguments: [
            (GeneratingUnitClass.a, "01/01/2024", "01/31/2024", true), (.a, "01/15/2024", "02/14/2024", false),
            (.d, "01/01/2024", "03/31/2024", true), (.g, "01/01/2024", "04/01/2024", false),
            (.j, "01/01/2024", "12/31/2024", true), (.j, "12/31/2023", "12/31/2024", false),
        ])
    func reportingPeriod(unitClass: GeneratingUnitClass, begin: String, end: String, allowed: Bool) throws {
        let period = Fixture.period(begin, end)
        if allowed {
            try unitClass.reportingRequirements.checkReportingPeriod(period)
        } else {
            let error = violation { () throws(RuleViolation) in try unitClass.reportingRequirements.checkReportingPeriod(period) }
            #expect(error?.code == .reportingPeriodTooLong)
            #expect(error?.section == "Appendix D Addendum B")
        }
    }

    @Test("Operating Rules §12.4: certificates of classes C, D, F, G and J carry the accumulation period")
    func accumulation() {
        #expect(GeneratingUnitClass.allCases.filter(\.certificatesCarryAccumulationPeriod) == [.c, .d, .f, .g, .j])
    }
}
