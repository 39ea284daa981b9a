/// The inclusive begin and end dates of reported generation (Appendix D §5.1, BeginDate/EndDate).
public struct GenerationPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    public let begin: CalendarDate
    public let end: CalendarDate

    public init(begin: CalendarDate, end: CalendarDate) throws(RuleViolation) {
        guard begin <= end else {
            throw RuleViolation(
                .periodReversed, "the begin date \(begin) is after the end date \(end)",
                section: Section.generationValidations)
        }
        self.begin = begin
        self.end = end
    }

    /// The whole of one month.
    public init(_ vintage: Vintage) {
        self.begin = vintage.firstDay
        self.end = vintage.lastDay
    }

    /// Days covered, both ends included.
    public var numberOfDays: Int { begin.days(until: end) + 1 }

    /// "the number of hours in the generating period": 24 per day, both ends included, so January 1 to
    /// January 31 is 744 (Appendix D §6.1).
    public var hours: Int { numberOfDays * 24 }

    /// Calendar months touched by the period, e.g. 3 for 01/15 to 03/02: what the maximum reporting
    /// period of Addendum B limits.
    public var calendarMonthsSpanned: Int { begin.vintage.months(until: end.vintage) + 1 }

    public func contains(_ date: CalendarDate) -> Bool { begin <= date && date <= end }

    public func overlaps(_ other: GenerationPeriod) -> Bool { begin <= other.end && other.begin <= end }

    public var description: String { "\(begin)-\(end)" }

    private enum CodingKeys: String, CodingKey { case begin, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            begin: container.decode(CalendarDate.self, forKey: .begin),
            end: container.decode(CalendarDate.self, forKey: .end))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(begin, forKey: .begin)
        try container.encode(end, forKey: .end)
    }
}
