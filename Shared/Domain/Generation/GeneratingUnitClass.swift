/// The WREGIS generating unit classes A to J (Operating Rules §9.1, Table 9-1; Appendix D Addendum A).
public enum GeneratingUnitClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case a = "A", b = "B", c = "C", d = "D", e = "E", f = "F", g = "G", h = "H", i = "I", j = "J"

    /// Where a unit's generation goes when it is not reported to a Balancing Authority unit by unit:
    /// the three right-hand columns of Table 9-1.
    public enum Siting: String, Sendable, Hashable, Codable, CaseIterable {
        case wholesale
        case wholesaleAlsoServingOnSiteLoad
        case customerSitedDistributedGeneration
    }

    /// What Table 9-1 classifies on.
    public struct Characteristics: Sendable, Hashable, Codable {
        /// Generation reported to or through a Balancing Authority on a unit-specific basis: Class A
        /// whatever else is true.
        public var reportedToBalancingAuthorityUnitByUnit: Bool
        public var siting: Siting
        public var nameplateCapacity: Capacity
        /// A pre-existing contract with the interconnecting utility allows meter reading and reporting
        /// less frequently than monthly.
        public var contractAllowsReadingLessOftenThanMonthly: Bool
        /// Annual production the unit is technically capable of (decides I versus J).
        public var technicallyPossibleAnnualProduction: MegawattHours

        public init(
            reportedToBalancingAuthorityUnitByUnit: Bool, siting: Siting, nameplateCapacity: Capacity,
            contractAllowsReadingLessOftenThanMonthly: Bool = false,
            technicallyPossibleAnnualProduction: MegawattHours
        ) {
            self.reportedToBalancingAuthorityUnitByUnit = reportedToBalancingAuthorityUnitByUnit
            self.siting = siting
            self.nameplateCapacity = nameplateCapacity
            self.contractAllowsReadingLessOftenThanMonthly = contractAllowsReadingLessOftenThanMonthly
            self.technicallyPossibleAnnualProduction = technicallyPossibleAnnualProduction
        }
    }

    /// Classifies a unit by Table 9-1.
    ///
    /// For Class J, Table 9-1 (in the Operating Rules) also sends small customer-sited units with a
    /// less-than-monthly reading contract to J, while Addendum A's copy of the table omits that
    /// condition; Table 9-1 governs here because it is the more complete text.
    public static func classify(_ unit: Characteristics) -> GeneratingUnitClass {
        if unit.reportedToBalancingAuthorityUnitByUnit { return .a }
        let watts = unit.nameplateCapacity.watts
        switch unit.siting {
        case .wholesale:
            if watts > Int64(Limits.smallWholesaleCapacityKilowattsMax) * 1_000 { return .b }
            return unit.contractAllowsReadingLessOftenThanMonthly ? .d : .c
        case .wholesaleAlsoServingOnSiteLoad:
            if watts > Int64(Limits.smallWholesaleCapacityKilowattsMax) * 1_000 { return .e }
            return unit.contractAllowsReadingLessOftenThanMonthly ? .g : .f
        case .customerSitedDistributedGeneration:
            if watts > Int64(Limits.smallCustomerSitedCapacityKilowattsMax) * 1_000 { return .h }
            let capableOfMoreThanThreshold =
                unit.technicallyPossibleAnnualProduction
                > MegawattHours(wholeMegawattHours: Int64(Limits.classJAnnualProductionMegawattHoursMax))
            return capableOfMoreThanThreshold && !unit.contractAllowsReadingLessOftenThanMonthly ? .i : .j
        }
    }

    /// Self-reporting by the account holder is allowed only for classes I and J (§9.2.2; Appendix B-1
    /// "Reporting Entity type"; Addendum B "Eligible Reporting Entity Types").
    public var allowsSelfReporting: Bool { self == .i || self == .j }

    public func checkSelfReportingAllowed() throws(RuleViolation) {
        guard allowsSelfReporting else {
            throw RuleViolation(
                .selfReportingNotAllowed,
                "Class \(rawValue) units are reported by a Qualified Reporting Entity; only Classes I and J may self-report",
                section: Section.selfReporting)
        }
    }

    /// Certificates from these classes carry the accumulation period (mm/yyyy to mm/yyyy), because a
    /// reported period may cover several months (§12.4).
    public var certificatesCarryAccumulationPeriod: Bool { [.c, .d, .f, .g, .j].contains(self) }

    public static func < (lhs: GeneratingUnitClass, rhs: GeneratingUnitClass) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "Class \(rawValue)" }
}
