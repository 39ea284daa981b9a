import Foundation

/// The fraction of nameplate output a unit can sustain, registered with the unit and used by the
/// engineering feasibility check (Appendix D §6.1; Operating Rules §9.5). Greater than 0, at most 1,
/// exact to one part per million.
public struct CapacityFactor: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let partsPerMillion: Int64

    public init(partsPerMillion: Int64) throws(RuleViolation) {
        guard partsPerMillion > 0, partsPerMillion <= 1_000_000 else {
            throw RuleViolation(
                .capacityFactorInvalid,
                "capacity factor \(ScaledDecimal.format(partsPerMillion, scale: 6)) must be greater than 0 and at most 1",
                section: Section.feasibility)
        }
        self.partsPerMillion = partsPerMillion
    }

    /// Parses a decimal fraction such as `0.35` (at most six decimals).
    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        switch ScaledDecimal.parse(text, scale: 6, magnitudeMax: 1_000_000_000) {
        case .success(let value):
            try self.init(partsPerMillion: value)
        case .failure:
            throw RuleViolation(
                .capacityFactorInvalid, "capacity factor \(ASCII.quoted(text)) is not a fraction with at most 6 decimals",
                section: Section.feasibility)
        }
    }

    public var decimalValue: Decimal { Decimal(partsPerMillion) / Decimal(1_000_000) }

    public init(from decoder: any Decoder) throws {
        try self.init(partsPerMillion: decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(partsPerMillion)
    }

    public static func < (lhs: CapacityFactor, rhs: CapacityFactor) -> Bool { lhs.partsPerMillion < rhs.partsPerMillion }

    public var description: String { ScaledDecimal.format(partsPerMillion, scale: 6) }
}
