import Foundation
import Testing

@testable import Domain

@Suite("Vintage, calendar dates and generation periods")
struct TimeTests {
    // MARK: Vintage — Operating Rules §2 (Vintage); Appendix D §5.1, Table 25 (MM/YYYY)

    @Test("Appendix D Table 25: MM/YYYY vintages", arguments: [("10/2006", 2006, 10), ("01/2024", 2024, 1), ("12/9999", 9999, 12)])
    func vintageValid(text: String, year: Int, month: Int) throws {
        let vintage = try Vintage(parsing: text)
        #expect(vintage.year == year && vintage.month == month)
        #expect(vintage.description == text)
    }

    @Test(
        "Appendix D Table 25: malformed vintages",
        arguments: ["", "1/2024", "13/2024", "00/2024", "10/24", "10-2024", "10/2024/01", "ab/2024", "10/02024", "10/0999"])
    func vintageMalformed(text: String) {
        #expect(violation { () throws(RuleViolation) in try Vintage(parsing: text) }?.code == .vintageMalformed)
    }

    @Test("vintages order by year then month and step across years")
    func vintageArithmetic() {
        let december = Fixture.vintage("12/2023")
        #expect(december < Fixture.vintage("01/2024"))
        #expect(Fixture.vintage("02/2023") < Fixture.vintage("11/2023"))
        #expect(december.next == Fixture.vintage("01/2024"))
        #expect(Fixture.vintage("01/2024").previous == december)
        #expect(december.adding(months: 14) == Fixture.vintage("02/2025"))
        #expect(december.months(until: Fixture.vintage("03/2024")) == 3)
        #expect(Fixture.vintage("03/2024").months(until: december) == -3)
    }

    @Test(
        "Appendix D §6.1: hours in a month count 24 per day (January is 744)",
        arguments: [("01/2006", 744), ("02/2024", 696), ("02/2023", 672), ("04/2024", 720), ("02/2000", 696), ("02/1900", 672)])
    func vintageHours(text: String, hours: Int) {
        #expect(Fixture.vintage(text).hours == hours)
    }

    @Test("a vintage knows its first and last day")
    func vintageDays() {
        #expect(Fixture.vintage("02/2024").firstDay == Fixture.day("02/01/2024"))
        #expect(Fixture.vintage("02/2024").lastDay == Fixture.day("02/29/2024"))
        #expect(Fixture.vintage("02/2024").contains(Fixture.day("02/15/2024")))
        #expect(!Fixture.vintage("02/2024").contains(Fixture.day("03/01/2024")))
    }

    // MARK: Calendar dates — Appendix D §5.1, Table 25 (MM/DD/YYYY)

    @Test("Appendix D Table 25: MM/DD/YYYY dates", arguments: ["10/01/2006", "02/29/2024", "12/31/1999", "01/01/1000"])
    func dateValid(text: String) throws {
        #expect(try CalendarDate(parsing: text).description == text)
    }

    @Test(
        "Appendix D Table 25: malformed or impossible dates",
        arguments: ["", "1/1/2024", "02/30/2024", "02/29/2023", "13/01/2024", "00/10/2024", "04/31/2024", "10/01/06", "2024-10-01", "10/01/2006x"])
    func dateMalformed(text: String) {
        #expect(violation { () throws(RuleViolation) in try CalendarDate(parsing: text) }?.code == .dateMalformed)
    }

    @Test("day arithmetic crosses months, years and leap days")
    func dayArithmetic() {
        #expect(Fixture.day("02/28/2024").adding(days: 1) == Fixture.day("02/29/2024"))
        #expect(Fixture.day("02/28/2023").adding(days: 1) == Fixture.day("03/01/2023"))
        #expect(Fixture.day("12/31/2023").adding(days: 1) == Fixture.day("01/01/2024"))
        #expect(Fixture.day("01/01/2024").adding(days: -1) == Fixture.day("12/31/2023"))
        #expect(Fixture.day("01/01/1970").daysSince1970 == 0)
        #expect(Fixture.day("01/01/2024").days(until: Fixture.day("01/01/2025")) == 366)
        #expect(Fixture.day("01/31/2024").adding(months: 1) == Fixture.day("02/29/2024"))
        #expect(Fixture.day("03/31/2024").adding(months: -1) == Fixture.day("02/29/2024"))
        #expect(Fixture.day("02/29/2024").adding(months: 24) == Fixture.day("02/28/2026"))
    }

    @Test("property: day numbers and dates convert both ways", arguments: Array(stride(from: -300_000, through: 2_900_000, by: 9_973)))
    func dayNumberRoundTrip(days: Int) throws {
        let date = CalendarDate(daysSince1970: days)
        #expect(date.daysSince1970 == days)
        #expect(try CalendarDate(year: date.year, month: date.month, day: date.day) == date)
        #expect(date.adding(days: 1) > date)
    }

    @Test("instants and days convert in a given time zone")
    func instants() {
        let pacific = TimeZone(identifier: "America/Los_Angeles")!
        let instant = Fixture.day("07/04/2024").instant(hour: 0, minute: 1, in: pacific)
        #expect(instant == Fixture.instant("2024-07-04T07:01:00Z"))
        #expect(CalendarDate(instant, in: pacific) == Fixture.day("07/04/2024"))
        #expect(CalendarDate(Fixture.instant("2024-07-04T03:00:00Z"), in: pacific) == Fixture.day("07/03/2024"))
    }

    // MARK: Generation periods — Appendix D §5.1 and §6.1

    @Test("Appendix D §6.1: January 1 to January 31 is 744 hours")
    func periodHours() {
        #expect(Fixture.period("01/01/2006", "01/31/2006").hours == 744)
        #expect(Fixture.period("03/10/2024", "03/10/2024").hours == 24)
        #expect(GenerationPeriod(Fixture.vintage("02/2024")).hours == 696)
    }

    @Test("Appendix D §6.1, Table 27: a period whose begin date follows its end date is refused")
    func periodReversed() {
        let error = violation { () throws(RuleViolation) in
            try GenerationPeriod(begin: Fixture.day("02/01/2024"), end: Fixture.day("01/31/2024"))
        }
        #expect(error?.code == .periodReversed)
    }

    @Test(
        "Appendix D Addendum B: calendar months a period touches",
        arguments: [("01/01/2024", "01/31/2024", 1), ("01/15/2024", "02/14/2024", 2), ("01/01/2024", "03/31/2024", 3), ("11/01/2023", "10/31/2024", 12)])
    func periodMonths(begin: String, end: String, months: Int) {
        #expect(Fixture.period(begin, end).calendarMonthsSpanned == months)
    }

    @Test("registry calendar arithmetic clamps month ends (Operating Rules §16.2, §18.3 windows)")
    func registryCalendar() {
        #expect(RegistryCalendar.adding(months: 1, to: Fixture.instant("2024-01-31T10:00:00Z")) == Fixture.instant("2024-02-29T10:00:00Z"))
        #expect(RegistryCalendar.adding(days: 14, to: Fixture.instant("2024-03-01T00:00:00Z")) == Fixture.instant("2024-03-15T00:00:00Z"))
    }
}
