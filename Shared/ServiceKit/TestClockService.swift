import Domain
import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC

/// `recs.testing.v1.TestClock` (ADR 0007): the simulated clock of a service started with
/// `--test-clock`, moved by the registry administrator. Advancing runs every piece of the service's
/// ``DueWork`` that falls due in the skipped interval, each at its own due time, in order, before
/// answering: a test that advances 14 days sees the expiries done.
public struct TestClockService: Recs_Testing_V1_TestClockProvider {
    let clock: ServiceClock
    let work: any DueWork
    let store: SimulatedTimeStore?
    /// One move of the clock at a time.
    private let gate = AsyncGate()

    public init(clock: ServiceClock, work: any DueWork, store: SimulatedTimeStore? = nil) {
        precondition(clock.isSimulated, "the test clock service needs a simulated clock")
        self.clock = clock
        self.work = work
        self.store = store
    }

    /// Only the registry administrator moves time (and reads it here).
    public static let accessRules = AccessRules(
        service: Recs_Testing_V1_TestClock.name,
        methods: ["GetTime": .requires(.administer), "SetTime": .requires(.administer), "Advance": .requires(.administer)])

    public func getTime(request: Recs_Testing_V1_GetTimeRequest, context: ServerContext) async throws -> Recs_Testing_V1_ClockTime {
        answer([])
    }

    public func setTime(request: Recs_Testing_V1_SetTimeRequest, context: ServerContext) async throws -> Recs_Testing_V1_ClockTime {
        guard let time = request.time else { throw ServiceErrors.invalid("time", "is required") }
        let target = Date(timeIntervalSince1970: TimeInterval(time.unixSeconds))
        return try await gate.withPermit {
            if target <= clock.now() {
                clock.set(target)
                try await store?.save(target)
                return answer([])
            }
            return answer(try await move(to: target))
        }
    }

    public func advance(request: Recs_Testing_V1_AdvanceRequest, context: ServerContext) async throws -> Recs_Testing_V1_ClockTime {
        guard request.seconds > 0, request.seconds <= 100 * 366 * 86_400 else {
            throw ServiceErrors.invalid("seconds", "must be 1 second to 100 years")
        }
        return try await gate.withPermit {
            answer(try await move(to: clock.now().addingTimeInterval(TimeInterval(request.seconds))))
        }
    }

    /// Steps through every due instant up to `target`, running the work due at each.
    func move(to target: Date) async throws -> [String] {
        var done: [String] = []
        var steps = 0
        while let due = try await work.nextDue(until: target), due <= target {
            steps += 1
            guard steps <= 100_000 else { throw RPCError(.internal, "the due work does not settle") }
            // Overdue work runs now; time never goes back.
            let at = max(due, clock.now())
            clock.set(at)
            try await store?.save(at)
            done += try await work.run(at: at)
        }
        clock.set(target)
        try await store?.save(target)
        done += try await work.run(at: target)
        return done
    }

    func answer(_ done: [String]) -> Recs_Testing_V1_ClockTime {
        var time = Recs_Testing_V1_ClockTime()
        var timestamp = Recs_Common_V1_Timestamp()
        timestamp.unixSeconds = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        time.time = timestamp
        time.timeZone = clock.timeZone.identifier
        time.workDone = done
        return time
    }
}

/// Where a simulated clock's time survives a restart (ADR 0007): a row of the service's
/// `counters` table, so a service restarted in a test resumes at the simulated time instead of
/// jumping to the real one (and, say, expiring every transfer at once).
public struct SimulatedTimeStore: Sendable {
    static let counter = "test_clock_unix_ms"
    let journal: RequestJournal

    public init(journal: RequestJournal) {
        self.journal = journal
    }

    /// Sets `clock` to the stored time, if a previous run stored one.
    public func restore(_ clock: ServiceClock) async throws {
        guard clock.isSimulated else { return }
        let stored = try await journal.read { transaction in
            try transaction.sql.queryFirst("SELECT value FROM counters WHERE name = $1", .text(Self.counter))?.int64("value")
        }
        if let stored { clock.set(Date(timeIntervalSince1970: Double(stored) / 1_000)) }
    }

    public func save(_ time: Date) async throws {
        let milliseconds = JournalTransaction.milliseconds(time)
        try await journal.database.transaction { sql in
            try sql.execute(
                "INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                .text(Self.counter), .int64(max(0, milliseconds)))
        }
    }
}
