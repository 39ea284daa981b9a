/// When generation for a month may be reported: as current-period data within 75 days after the end
/// of the generation month (Operating Rules §12.3, §24.5.1; Appendix D §6.1 "75 day window"), then as
/// a prior period adjustment until two years after the end of the generation month (§9.4.2).
public enum GenerationReportingWindow {
    public enum Classification: Sendable, Hashable {
        case currentPeriod
        case priorPeriodAdjustment
    }

    public static func lastDayOfCurrentPeriodReporting(for vintage: Vintage) -> CalendarDate {
        vintage.lastDay.adding(days: Limits.reportingWindowDays)
    }

    public static func lastDayOfPriorPeriodAdjustment(for vintage: Vintage) -> CalendarDate {
        vintage.lastDay.adding(months: 12 * Limits.priorPeriodAdjustmentYearsMax)
    }

    /// Classifies data for `vintage` whose period ends `periodEnd`, received on `receivedOn`.
    public static func classify(vintage: Vintage, periodEnd: CalendarDate, receivedOn: CalendarDate) throws(RuleViolation) -> Classification {
        guard periodEnd < receivedOn else {
            throw RuleViolation(
                .periodNotEnded, "the period ends \(periodEnd), which is not before the day the data was received (\(receivedOn))",
                section: Section.generationValidations, field: "EndDate")
        }
        if receivedOn <= lastDayOfCurrentPeriodReporting(for: vintage) { return .currentPeriod }
        if receivedOn <= lastDayOfPriorPeriodAdjustment(for: vintage) { return .priorPeriodAdjustment }
        throw RuleViolation(
            .priorPeriodAdjustmentTooLate,
            "generation of \(vintage) can no longer be reported or adjusted: adjustments end \(lastDayOfPriorPeriodAdjustment(for: vintage))",
            section: Section.priorPeriodAdjustments)
    }
}
