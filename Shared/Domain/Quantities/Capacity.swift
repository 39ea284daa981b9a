import Foundation

/// A generating unit's nameplate capacity (Operating Rules §2, Appendix B-1), exact to the watt.
///
/// Classification thresholds are in kW (Table 9-1: 125 kW, 360 kW) and units can be a few kW, so an
/// integer number of watts is exact for every value the rules mention.
public struct Capacity: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let watts: Int64

    /// Larger than any generating unit; keeps feasibility arithmetic far from overflow.
    public static let wattsMax: Int64 = 100_000_000_000

    public init(watts: Int64) throws(RuleViolation) {
        guard watts > 0, watts <= Self.wattsMax else {
            throw RuleViolation(
                .capacityInvalid, "nameplate capacity of \(watts) W must be positive and at most 100 GW",
                section: Section.feasibility)
        }
        self.watts = watts
    }

    public init(kilowatts: Int64) throws(RuleViolation) { try self.init(watts: kilowatts * 1_000) }

    /// Parses a decimal number of MW with at most six decimals (one watt), e.g. `1.5` or `0.0042`.
    public init(parsingMegawatts text: some StringProtocol) throws(RuleViolation) {
        switch ScaledDecimal.parse(text, scale: 6, magnitudeMax: Self.wattsMax) {
        case .success(let watts):
            try self.init(watts: watts)
        case .failure:
            throw RuleViolation(
                .capacityInvalid, "nameplate capacity \(ASCII.quoted(text)) is not a number of MW with at most 6 decimals",
                section: Section.feasibility)
        }
    }

    public var megawatts: Decimal { Decimal(watts) / Decimal(1_000_000) }

    public init(from decoder: any Decoder) throws {
        try self.init(watts: decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(watts)
    }

    public static func < (lhs: Capacity, rhs: Capacity) -> Bool { lhs.watts < rhs.watts }

    /// In MW, e.g. "1.5 MW".
    public var description: String { ScaledDecimal.format(watts, scale: 6) + " MW" }
}
