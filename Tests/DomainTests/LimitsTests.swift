import Foundation
import Testing

@testable import Domain

@Suite("Named limits match the rules they come from")
struct LimitsTests {
    @Test("MCT: 1,000 lines and 50-character notes")
    func massTransfer() {
        #expect(Limits.mctLinesMax == 1_000)
        #expect(Limits.mctNotesCharactersMax == 50)
    }

    @Test("Operating Rules §15.2, §17.1: 14-day expiry; §16.2: 12 months; §18.3: 3 months")
    func windows() {
        #expect(Limits.transferExpiryDays == 14)
        #expect(Limits.exportExpiryDays == 14)
        #expect(Limits.retirementWithdrawalMonthsMax == 12)
        #expect(Limits.reserveWithdrawalMonthsMax == 3)
    }

    @Test("Appendix D §6.1: 1.02 tolerance; §12.3: 75 days; §9.4.2: two years; Table 25: Varchar(50)")
    func generation() {
        #expect(Limits.feasibilityTolerance == Decimal(string: "1.02")!)
        #expect(Limits.reportingWindowDays == 75)
        #expect(Limits.priorPeriodAdjustmentYearsMax == 2)
        #expect(Limits.reportingEntityUnitIDCharactersMax == 50)
    }

    @Test("Table 9-1: 125 kW, 360 kW, 30 MWh per year; Appendix C: Char(10) attributes")
    func classes() {
        #expect(Limits.smallWholesaleCapacityKilowattsMax == 125)
        #expect(Limits.smallCustomerSitedCapacityKilowattsMax == 360)
        #expect(Limits.classJAnnualProductionMegawattHoursMax == 30)
        #expect(Limits.programAttributeCharactersMax == 10)
    }
}
