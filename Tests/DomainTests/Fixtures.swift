import Foundation
import Testing

@testable import Domain

/// Helpers shared by the suites: literal dates and instants, and access to thrown violations.
enum Fixture {
    /// An instant from "YYYY-MM-DDTHH:MM:SSZ".
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        guard let date = formatter.date(from: text) else { preconditionFailure("bad fixture instant \(text)") }
        return date
    }

    /// A calendar day from "MM/DD/YYYY".
    static func day(_ text: String) -> CalendarDate {
        guard let day = try? CalendarDate(parsing: text) else { preconditionFailure("bad fixture day \(text)") }
        return day
    }

    static func vintage(_ text: String) -> Vintage {
        guard let vintage = try? Vintage(parsing: text) else { preconditionFailure("bad fixture vintage \(text)") }
        return vintage
    }

    static func period(_ begin: String, _ end: String) -> GenerationPeriod {
        guard let period = try? GenerationPeriod(begin: day(begin), end: day(end)) else {
            preconditionFailure("bad fixture period \(begin)-\(end)")
        }
        return period
    }

    static func serial(_ text: String) -> CertificateSerialRange {
        guard let serial = try? CertificateSerialRange(parsing: text) else { preconditionFailure("bad fixture serial \(text)") }
        return serial
    }

    static func range(_ first: Int64, _ last: Int64) -> CertificateNumberRange {
        guard let range = try? CertificateNumberRange(first: first, last: last) else {
            preconditionFailure("bad fixture range \(first)-\(last)")
        }
        return range
    }
}

/// The violation a throwing expression raises, or nil (recording a test failure) if it does not throw.
func violation<Value>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(RuleViolation) -> Value
) -> RuleViolation? {
    do {
        _ = try body()
        Issue.record("expected a rule violation", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The violations a file parser raises, or nil (recording a test failure) if it accepts the file.
func violations<Value>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(RuleViolations) -> Value
) -> RuleViolations? {
    do {
        _ = try body()
        Issue.record("expected the file to be rejected", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
