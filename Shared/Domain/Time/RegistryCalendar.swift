import Foundation

/// Calendar arithmetic on instants for the rules measured in days and months (14-day expiry,
/// 12- and 3-month withdrawal windows).
///
/// The domain never reads a clock: callers pass the current instant. Windows are measured in UTC so
/// that the answer does not depend on the server's time zone; a window edge can therefore differ from
/// local midnight by a few hours, which is far inside what the rules distinguish.
public enum RegistryCalendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    public static func adding(days: Int, to instant: Date) -> Date {
        utc.date(byAdding: .day, value: days, to: instant)!
    }

    /// `days` calendar days later in `timeZone`, at the same wall-clock time (a day across a
    /// daylight-saving change is 23 or 25 hours): the registry counts days in its time zone (ADR 0007).
    public static func adding(days: Int, to instant: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(byAdding: .day, value: days, to: instant)!
    }

    /// The same day and time `months` later, clamped to the end of a shorter month.
    public static func adding(months: Int, to instant: Date) -> Date {
        utc.date(byAdding: .month, value: months, to: instant)!
    }
}
