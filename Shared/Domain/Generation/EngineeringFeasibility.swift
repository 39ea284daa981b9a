import Foundation

/// The engineering feasibility check on reported generation (Appendix D §6.1, Table 27; Operating
/// Rules §9.5): reported MWh above nameplate × capacity factor × hours in the period × 1.02 is a soft
/// warning. The data may still be posted, but stays "WREGIS Pending" and earns no certificates until
/// the registry administrator approves or it is corrected.
public enum EngineeringFeasibility {
    public enum Assessment: Sendable, Hashable {
        /// Reported generation is at or below the estimate.
        case feasible(maximum: Decimal)
        case softWarning(Warning)

        public var isFeasible: Bool { if case .feasible = self { true } else { false } }
    }

    /// The numbers behind a failed check, for the reporting entity, the account holder and the
    /// administrator.
    public struct Warning: Sendable, Hashable, CustomStringConvertible {
        public let reported: MegawattHours
        /// The estimate, tolerance included, in MWh.
        public let maximum: Decimal
        public let nameplateCapacity: Capacity
        public let capacityFactor: CapacityFactor
        public let hours: Int

        public var section: String { Section.feasibility }

        public var description: String {
            "reported \(reported) MWh exceeds the engineering estimate of \(maximum) MWh "
                + "(\(nameplateCapacity) × capacity factor \(capacityFactor) × \(hours) h × \(Limits.feasibilityTolerance)); "
                + "the data stays pending until the administrator reviews it (\(section))"
        }
    }

    /// nameplate (MW) × capacity factor × hours × tolerance, in MWh. Decimal arithmetic is exact here:
    /// every factor has few digits.
    public static func maximumProduction(nameplateCapacity: Capacity, capacityFactor: CapacityFactor, hours: Int) -> Decimal {
        nameplateCapacity.megawatts * capacityFactor.decimalValue * Decimal(hours) * Limits.feasibilityTolerance
    }

    public static func assess(
        reported: MegawattHours, nameplateCapacity: Capacity, capacityFactor: CapacityFactor, period: GenerationPeriod
    ) -> Assessment {
        let maximum = maximumProduction(
            nameplateCapacity: nameplateCapacity, capacityFactor: capacityFactor, hours: period.hours)
        guard reported.decimalValue > maximum else { return .feasible(maximum: maximum) }
        return .softWarning(
            Warning(
                reported: reported, maximum: maximum, nameplateCapacity: nameplateCapacity,
                capacityFactor: capacityFactor, hours: period.hours))
    }
}
