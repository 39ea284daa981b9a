/// A month of generation: "The month/year of the generation period for which a WREGIS Certificate is
/// created. Vintage will always be a single month/year." (Operating Rules §2). Written `MM/YYYY`
/// (Appendix D §5.1, Table 25).
///
/// Program good-through dates (Appendix C §4.1) are months too and use this type.
public struct Vintage: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) throws(RuleViolation) {
        guard CalendarDate.years.contains(year), (1...12).contains(month) else {
            throw RuleViolation(
                .vintageMalformed, "\(month)/\(year) is not a month of a four-digit year", section: Section.vintage)
        }
        self.year = year
        self.month = month
    }

    /// Parses `MM/YYYY` with exactly two and four digits.
    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        guard let numbers = DigitFields.parse(text, widths: [2, 4]) else {
            throw RuleViolation(
                .vintageMalformed, "month \(ASCII.quoted(text)) is not written MM/YYYY", section: Section.vintage)
        }
        do throws(RuleViolation) {
            try self.init(year: numbers[1], month: numbers[0])
        } catch {
            throw RuleViolation(
                .vintageMalformed, "month \(ASCII.quoted(text)) does not exist", section: Section.vintage)
        }
    }

    init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public var firstDay: CalendarDate { CalendarDate(uncheckedYear: year, month: month, day: 1) }
    public var lastDay: CalendarDate { CalendarDate(uncheckedYear: year, month: month, day: numberOfDays) }
    public var numberOfDays: Int { CalendarDate.numberOfDays(year: year, month: month) }

    /// Hours in the month counted as 24 per day, as Appendix D §6.1 counts them (January: 744).
    /// Daylight saving changes are deliberately ignored: the feasibility estimate is a ceiling with a
    /// 2% margin, not a meter.
    public var hours: Int { numberOfDays * 24 }

    /// Months since January of year 0: makes month arithmetic a matter of integers.
    private var monthIndex: Int { year * 12 + (month - 1) }

    public func adding(months: Int) -> Vintage {
        let index = monthIndex + months
        return Vintage(uncheckedYear: index / 12, month: index % 12 + 1)
    }

    public var next: Vintage { adding(months: 1) }
    public var previous: Vintage { adding(months: -1) }

    /// Months from this one to `other` (positive when `other` is later; 0 for the same month).
    public func months(until other: Vintage) -> Int { other.monthIndex - monthIndex }

    public func contains(_ date: CalendarDate) -> Bool { date.year == year && date.month == month }

    public static func < (lhs: Vintage, rhs: Vintage) -> Bool { lhs.monthIndex < rhs.monthIndex }

    /// `MM/YYYY`.
    public var description: String { "\(DigitFields.twoDigits(month))/\(DigitFields.fourDigits(year))" }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
