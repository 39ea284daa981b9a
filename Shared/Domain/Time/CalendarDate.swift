import Foundation

/// A day of the Gregorian calendar, without time or time zone: the `MM/DD/YYYY` begin and end dates
/// of generation data (Appendix D §5.1, Table 25) and transfer execution dates (§15.2).
///
/// Day arithmetic uses a day count from 1970-01-01, computed with integer arithmetic, so the domain
/// needs no calendar object and no time zone for it.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Four-digit years only, as the file formats write them.
    public static let years = 1_000...9_999

    public init(year: Int, month: Int, day: Int) throws(RuleViolation) {
        guard Self.years.contains(year), (1...12).contains(month),
            (1...Self.numberOfDays(year: year, month: month)).contains(day)
        else {
            throw RuleViolation(
                .dateMalformed, "\(year)-\(month)-\(day) is not a date of the calendar",
                section: Section.generationFields)
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `MM/DD/YYYY` with exactly two, two and four digits.
    public init(parsing text: some StringProtocol) throws(RuleViolation) {
        guard let numbers = DigitFields.parse(text, widths: [2, 2, 4]) else {
            throw RuleViolation(
                .dateMalformed, "date \(ASCII.quoted(text)) is not written MM/DD/YYYY",
                section: Section.generationFields)
        }
        do throws(RuleViolation) {
            try self.init(year: numbers[2], month: numbers[0], day: numbers[1])
        } catch {
            throw RuleViolation(
                .dateMalformed, "date \(ASCII.quoted(text)) does not exist", section: Section.generationFields)
        }
    }

    /// The date that is `days` after 1970-01-01 (negative before it).
    public init(daysSince1970 days: Int) {
        // Howard Hinnant's days_from_civil inverse: exact for the proleptic Gregorian calendar.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        precondition(Self.years.contains(year), "date outside four-digit years")
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var daysSince1970: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSince1970: daysSince1970 + days) }

    /// Days from this date to `other` (positive when `other` is later).
    public func days(until other: CalendarDate) -> Int { other.daysSince1970 - daysSince1970 }

    /// The same day `months` later, or the month's last day if it is shorter (Jan 31 + 1 = Feb 28/29).
    public func adding(months: Int) -> CalendarDate {
        let target = vintage.adding(months: months)
        let day = min(self.day, target.numberOfDays)
        return CalendarDate(uncheckedYear: target.year, month: target.month, day: day)
    }

    /// The month this day belongs to.
    public var vintage: Vintage { Vintage(uncheckedYear: year, month: month) }

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func numberOfDays(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The calendar day on which `instant` falls in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(uncheckedYear: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// The instant `hour:minute` of this day in `timeZone`, e.g. 00:01 for scheduled transfers (§15.2).
    public func instant(hour: Int = 0, minute: Int = 0, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)
        return calendar.date(from: parts)!
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `MM/DD/YYYY`.
    public var description: String {
        "\(DigitFields.twoDigits(month))/\(DigitFields.twoDigits(day))/\(DigitFields.fourDigits(year))"
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
