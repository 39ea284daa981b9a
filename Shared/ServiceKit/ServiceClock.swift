import Foundation
import Synchronization

/// The one clock of a service (ADR 0007): every rule that reads the time reads it here. In
/// production it is the system's clock; a service started with `--test-clock` gets a simulated one
/// that stands still until the registry administrator moves it (``TestClockService``).
public final class ServiceClock: Sendable {
    private let simulated: Mutex<Date>
    public let isSimulated: Bool
    /// The registry's time zone: day-based rules count calendar days there (ADR 0007).
    public let timeZone: TimeZone

    /// The system's clock.
    public init(timeZone: TimeZone = ServiceClock.defaultTimeZone) {
        self.simulated = Mutex(Date(timeIntervalSince1970: 0))
        self.isSimulated = false
        self.timeZone = timeZone
    }

    /// A simulated clock standing at `start`.
    public init(simulatedFrom start: Date, timeZone: TimeZone = ServiceClock.defaultTimeZone) {
        self.simulated = Mutex(start)
        self.isSimulated = true
        self.timeZone = timeZone
    }

    /// WREGIS works in Pacific time.
    public static let defaultTimeZone = TimeZone(identifier: "America/Los_Angeles")!

    public func now() -> Date {
        guard isSimulated else { return Date() }
        return simulated.withLock { $0 }
    }

    /// `now` as a closure, for code that takes one.
    public var read: @Sendable () -> Date { { [self] in now() } }

    /// Moves a simulated clock; a system clock cannot be moved.
    public func set(_ date: Date) {
        precondition(isSimulated, "the system clock cannot be set")
        simulated.withLock { $0 = date }
    }

}

/// Work a service does when its time comes (expiries, automatic cycles): what a simulated clock
/// runs, in order, as it is moved past it.
public protocol DueWork: Sendable {
    /// The earliest instant, not after `until`, at which something not done yet falls due (it may
    /// be past: work overdue), or nil.
    func nextDue(until: Date) async throws -> Date?
    /// Runs what is due at `now`; returns a line per piece of work done.
    func run(at now: Date) async throws -> [String]
}

/// A service with nothing scheduled.
public struct NoDueWork: DueWork {
    public init() {}
    public func nextDue(until: Date) async throws -> Date? { nil }
    public func run(at now: Date) async throws -> [String] { [] }
}
