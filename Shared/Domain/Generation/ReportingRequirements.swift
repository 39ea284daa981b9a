/// Minimum required reporting frequency and maximum reporting period by class (Appendix D
/// Addendum B, "Table 8: Minimum Required Reporting Frequency"; Operating Rules §9.7.1, §24.5).
public struct ReportingRequirements: Sendable, Hashable, Codable {
    public enum Frequency: String, Sendable, Hashable, Codable {
        case monthly, quarterly, annually
    }

    public let minimumFrequency: Frequency
    /// "Maximum Interval for Reporting Period (Calendar Months)".
    public let maximumReportingPeriodMonths: Int
    /// Data entry through the Self-Reporting Interface, besides file transfer (Classes I and J).
    public let selfReportingPermitted: Bool

    public init(for unitClass: GeneratingUnitClass) {
        switch unitClass {
        case .d, .g:
            self.init(minimumFrequency: .quarterly, maximumReportingPeriodMonths: 3, selfReportingPermitted: false)
        case .i:
            self.init(minimumFrequency: .monthly, maximumReportingPeriodMonths: 1, selfReportingPermitted: true)
        case .j:
            self.init(minimumFrequency: .annually, maximumReportingPeriodMonths: 12, selfReportingPermitted: true)
        case .a, .b, .c, .e, .f, .h:
            self.init(minimumFrequency: .monthly, maximumReportingPeriodMonths: 1, selfReportingPermitted: false)
        }
    }

    private init(minimumFrequency: Frequency, maximumReportingPeriodMonths: Int, selfReportingPermitted: Bool) {
        self.minimumFrequency = minimumFrequency
        self.maximumReportingPeriodMonths = maximumReportingPeriodMonths
        self.selfReportingPermitted = selfReportingPermitted
    }

    /// A reported period may touch at most ``maximumReportingPeriodMonths`` calendar months: data
    /// "shall reflect the month and year of the generation" (§9.2.1), so a monthly class reports
    /// within one calendar month.
    public func checkReportingPeriod(_ period: GenerationPeriod) throws(RuleViolation) {
        guard period.calendarMonthsSpanned <= maximumReportingPeriodMonths else {
            throw RuleViolation(
                .reportingPeriodTooLong,
                "the period \(period) spans \(period.calendarMonthsSpanned) calendar months; at most \(maximumReportingPeriodMonths) allowed",
                section: Section.reportingFrequency)
        }
    }
}

extension GeneratingUnitClass {
    public var reportingRequirements: ReportingRequirements { ReportingRequirements(for: self) }
}
