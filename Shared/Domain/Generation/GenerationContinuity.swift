/// The begin/end duration check of Table 27: a unit's reported period must start the day after the
/// previous reporting period ended, with neither a gap nor an overlap; each failure has its own message
/// (Appendix D §6.1, Table 27, "Begin/End Duration overlap/gap check").
///
/// Overlaps matter most: two records covering the same day would issue certificates twice for the
/// same MWh. Gaps are rejected so that every MWh of a unit is reported through the sequence.
public enum GenerationContinuity {
    /// Checks that `period` directly follows `previous` (nothing to check for a unit's first period).
    public static func check(_ period: GenerationPeriod, following previous: GenerationPeriod?) throws(RuleViolation) {
        guard let previous else { return }
        let expectedBegin = previous.end.adding(days: 1)
        if period.begin > expectedBegin {
            throw RuleViolation(
                .periodGap,
                "gap: the period begins \(period.begin) but the previous period ended \(previous.end); generation from \(expectedBegin) to \(period.begin.adding(days: -1)) is missing",
                section: Section.generationValidations, field: "BeginDate")
        }
        if period.begin < expectedBegin {
            throw RuleViolation(
                .periodOverlap,
                "overlap: the period begins \(period.begin) but the previous period \(previous) already covers up to \(previous.end)",
                section: Section.generationValidations, field: "BeginDate")
        }
    }

    /// Checks a file's records unit by unit, in date order: the first record of each unit against the
    /// unit's last posted period (`previousPeriods`), each later one against the record before it.
    /// Returns every violation, located at the offending record's line.
    public static func checkSequence(
        _ records: [GenerationRecord], previousPeriods: [ReportingEntityUnitID: GenerationPeriod]
    ) -> [RuleViolation] {
        var violations: [RuleViolation] = []
        let byUnit = Dictionary(grouping: records, by: \.unit)
        for unit in byUnit.keys.sorted() {
            var previous = previousPeriods[unit]
            let ordered = byUnit[unit]!.sorted { ($0.period.begin, $0.line) < ($1.period.begin, $1.line) }
            for record in ordered {
                do throws(RuleViolation) {
                    try check(record.period, following: previous)
                } catch {
                    violations.append(error.at(line: record.line))
                }
                if let last = previous, last.end > record.period.end { continue }
                previous = record.period
            }
        }
        return violations.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    }
}
