import Foundation

/// An amount of energy, exact to the kWh.
///
/// One certificate is issued per whole MWh and the fraction rolls forward as kWh (Operating Rules
/// §12, §12.6), so energy is stored as an integer number of kWh (thousandths of a MWh). Negative
/// amounts exist: prior period adjustments can subtract (§9.4.2).
public struct MegawattHours: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, AdditiveArithmetic {
    public let kilowattHours: Int64

    public init(kilowattHours: Int64) { self.kilowattHours = kilowattHours }

    public init(wholeMegawattHours: Int64) { self.kilowattHours = wholeMegawattHours * 1_000 }

    public static let zero = MegawattHours(kilowattHours: 0)

    /// Parses a decimal number of MWh such as `125`, `125.5` or `0.001` (at most three decimals).
    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        let limit = Limits.generationRecordMegawattHoursMax * 1_000
        switch ScaledDecimal.parse(text, scale: Limits.energyFractionDigitsMax, magnitudeMax: limit) {
        case .success(let value):
            self.kilowattHours = value
        case .failure(.tooManyFractionDigits):
            throw RuleViolation(
                .energyMalformed, "MWh value \(ASCII.quoted(text)) has more than three decimals (kWh precision)",
                section: Section.generationFields)
        case .failure(.tooLarge):
            throw RuleViolation(
                .energyTooLarge,
                "MWh value \(ASCII.quoted(text)) exceeds \(Limits.generationRecordMegawattHoursMax) MWh",
                section: Section.generationFields)
        case .failure(.empty):
            throw RuleViolation(.valueMissing, "MWh value is empty", section: Section.generationFields)
        case .failure(.notANumber):
            throw RuleViolation(
                .energyMalformed, "MWh value \(ASCII.quoted(text)) is not a decimal number",
                section: Section.generationFields)
        }
    }

    /// Certificates that this amount can back: whole MWh only (§12.6). Zero for negative amounts.
    public var wholeMegawattHours: Int64 { kilowattHours >= 0 ? kilowattHours / 1_000 : 0 }

    /// What rolls forward after issuing ``wholeMegawattHours`` certificates (§12.6).
    public var fractionRemaining: MegawattHours {
        kilowattHours >= 0 ? MegawattHours(kilowattHours: kilowattHours % 1_000) : self
    }

    public var decimalValue: Decimal { Decimal(kilowattHours) / Decimal(1_000) }

    public var isNegative: Bool { kilowattHours < 0 }

    public static func + (lhs: MegawattHours, rhs: MegawattHours) -> MegawattHours {
        MegawattHours(kilowattHours: lhs.kilowattHours + rhs.kilowattHours)
    }

    public static func - (lhs: MegawattHours, rhs: MegawattHours) -> MegawattHours {
        MegawattHours(kilowattHours: lhs.kilowattHours - rhs.kilowattHours)
    }

    public init(from decoder: any Decoder) throws {
        self.kilowattHours = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(kilowattHours)
    }

    public static func < (lhs: MegawattHours, rhs: MegawattHours) -> Bool { lhs.kilowattHours < rhs.kilowattHours }

    /// The MWh amount as written in files: "125", "125.5", "0.001".
    public var description: String { ScaledDecimal.format(kilowattHours, scale: 3) }
}
