import Testing

@testable import Domain

@Suite("Generation rules that need registry data as input (Appendix D Tables 26-27, §9.4.2, §12.3)")
struct GenerationRulesTests {
    // MARK: Gap and overlap — Appendix D §6.1, Table 27, "Begin/End Duration overlap/gap check"

    @Test("Table 27: the period must begin the day after the previous one ended")
    func continuous() throws {
        try GenerationContinuity.check(Fixture.period("02/01/2024", "02/29/2024"), following: Fixture.period("01/01/2024", "01/31/2024"))
        try GenerationContinuity.check(Fixture.period("02/01/2024", "02/29/2024"), following: nil)
    }

    @Test("Table 27: a gap and an overlap get distinct codes and messages", arguments: [
        ("02/02/2024", RuleViolation.Code.periodGap, "gap: "), ("01/31/2024", .periodOverlap, "overlap: "), ("01/15/2024", .periodOverlap, "overlap: "),
    ])
    func gapOrOverlap(begin: String, code: RuleViolation.Code, prefix: String) {
        let error = violation { () throws(RuleViolation) in
            try GenerationContinuity.check(Fixture.period(begin, "02/29/2024"), following: Fixture.period("01/01/2024", "01/31/2024"))
        }
        #expect(error?.code == code)
        #expect(error?.message.hasPrefix(prefix) == true)
        #expect(error?.section == "Appendix D §6.1, Table 27")
    }

    @Test("Table 27: a file's records chain from each unit's last posted period, in date order")
    func sequence() throws {
        let text = "UNITID,Vintage,BeginDate,EndDate,TotalMWh\n"
            + "A,03/2024,03/01/2024,03/31/2024,1\n"  // follows February: fine
            + "A,02/2024,02/01/2024,02/29/2024,1\n"  // overlaps the posted February
            + "B,02/2024,02/05/2024,02/29/2024,1\n"  // gap after B's January
            + "C,01/2024,01/01/2024,01/31/2024,1\n"  // C's first period: nothing to check
            + "C,03/2024,03/01/2024,03/31/2024,1\n"  // gap: February missing inside the file
        let records = try GenerationExtract.parse(text)
        let violations = GenerationContinuity.checkSequence(
            records,
            previousPeriods: [
                try ReportingEntityUnitID(parsing: "A"): Fixture.period("02/01/2024", "02/29/2024"),
                try ReportingEntityUnitID(parsing: "B"): Fixture.period("01/01/2024", "01/31/2024"),
            ])
        #expect(violations.map(\.code) == [.periodOverlap, .periodGap, .periodGap])
        #expect(violations.map(\.line) == [3, 4, 6])
    }

    // MARK: Reload rules — Appendix D §6.1, Table 26

    @Test(
        "Table 26: reload decisions by the status of the data already posted",
        arguments: [
            (nil as PostedGenerationStatus?, GenerationUploader.reportingEntity, GenerationReloadRule.Decision.post as GenerationReloadRule.Decision?, nil as RuleViolation.Code?),
            (.accountHolderAccepted, .reportingEntity, nil, .reloadRejectedAccountHolderAccepted),  // Rule 1
            (.wregisAccepted, .reportingEntity, .overwrite(rule: 2), nil),  // Rule 2
            (.accountHolderDisputed, .reportingEntity, .overwrite(rule: 2), nil),  // Rule 2
            (.administratorAccepted, .reportingEntity, nil, .reloadRejectedAdministratorStatus),  // Rule 3
            (.administratorDisputed, .reportingEntity, nil, .reloadRejectedAdministratorStatus),  // Rule 3
            (.administratorAdjusted, .reportingEntity, nil, .reloadRejectedAdministratorStatus),  // Rule 3
            (.wregisPending, .reportingEntity, .overwrite(rule: nil), nil),  // §6.1: pending until corrected
            (.accountHolderAccepted, .registryAdministrator, .overwrite(rule: 4), nil),  // Rule 4
            (.administratorAdjusted, .registryAdministrator, .overwrite(rule: 4), nil),  // Rule 4
            (nil, .registryAdministrator, .post, nil),
        ])
    func reload(existing: PostedGenerationStatus?, uploader: GenerationUploader, decision: GenerationReloadRule.Decision?, code: RuleViolation.Code?) {
        if let decision {
            #expect((try? GenerationReloadRule.decide(existing: existing, uploader: uploader)) == decision)
        } else {
            let error = violation { () throws(RuleViolation) in try GenerationReloadRule.decide(existing: existing, uploader: uploader) }
            #expect(error?.code == code)
            #expect(error?.section.hasPrefix("Appendix D §6.1, Table 26, Rule") == true)
        }
    }

    @Test("Table 26: every posted status has a decision for reporting entities")
    func reloadTotal() {
        for status in PostedGenerationStatus.allCases {
            _ = try? GenerationReloadRule.decide(existing: status, uploader: .reportingEntity)
            #expect((try? GenerationReloadRule.decide(existing: status, uploader: .registryAdministrator)) == .overwrite(rule: 4))
        }
    }

    // MARK: Reporting window — Operating Rules §12.3, §24.5.1 (75 days), §9.4.2 (two years)

    @Test(
        "§12.3 and §9.4.2: current period for 75 days after the month, then adjustments for two years",
        arguments: [
            ("04/01/2024", GenerationReportingWindow.Classification.currentPeriod as GenerationReportingWindow.Classification?, nil as RuleViolation.Code?),
            ("06/14/2024", .currentPeriod, nil),  // March 31 + 75 days
            ("06/15/2024", .priorPeriodAdjustment, nil),
            ("03/31/2026", .priorPeriodAdjustment, nil),
            ("04/01/2026", nil, .priorPeriodAdjustmentTooLate),
            ("03/31/2024", nil, .periodNotEnded),
        ])
    func window(received: String, classification: GenerationReportingWindow.Classification?, code: RuleViolation.Code?) {
        let vintage = Fixture.vintage("03/2024")
        let classify = { () throws(RuleViolation) in
            try GenerationReportingWindow.classify(vintage: vintage, periodEnd: vintage.lastDay, receivedOn: Fixture.day(received))
        }
        if let classification {
            #expect((try? classify()) == classification)
        } else {
            #expect(violation(classify)?.code == code)
        }
    }
}
