import CoreMetrics
import Storage
import Synchronization

/// A database that counts its transactions, commits and their time (``ServiceMetrics``); every
/// service opens its database through it (``StorageConfiguration/openMeasured(service:_:)``).
/// It sees a transaction from the outside, so Storage's own retries of a serialization failure
/// are one transaction here, as the caller sees them.
public struct MeasuredDatabase: Database {
    public let base: any Database
    private let committed: Counter
    private let failed: Counter
    private let reads: Counter
    private let tally = CommitTally()
    private let commits: Counter
    private let duration: Timer

    public init(_ base: any Database) {
        self.base = base
        committed = Counter(label: ServiceMetrics.databaseTransactions.name, dimensions: [("outcome", "committed")])
        failed = Counter(label: ServiceMetrics.databaseTransactions.name, dimensions: [("outcome", "failed")])
        reads = Counter(label: ServiceMetrics.databaseTransactions.name, dimensions: [("outcome", "read")])
        commits = Counter(label: ServiceMetrics.databaseCommits.name)
        duration = Timer(label: ServiceMetrics.databaseDuration.name)
    }

    public var dialect: SQLDialect { base.dialect }

    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let result = try await base.transaction(body)
            duration.recordInterval(since: start)
            committed.increment()
            countCommits()
            return result
        } catch {
            duration.recordInterval(since: start)
            failed.increment()
            throw error
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        let result = try await base.read(body)
        reads.increment()
        return result
    }

    /// On SQLite, the commits the group committer made since last counted (several transactions
    /// share one); elsewhere one commit per transaction.
    private func countCommits() {
        guard let sqlite = base as? SQLiteDatabase else {
            commits.increment()
            return
        }
        let now = sqlite.commitCounts.commits
        let new = tally.advance(to: now)
        if new > 0 { commits.increment(by: Int64(new)) }
    }

    public func close() async { await base.close() }

    public func recordStatements(into log: StatementLog?) { base.recordStatements(into: log) }
}

/// The last commit count of a SQLite database already reported.
private final class CommitTally: Sendable {
    private let seen = Mutex(0)

    /// How many of `total` are new since the last call.
    func advance(to total: Int) -> Int {
        seen.withLock { seen in
            defer { seen = max(seen, total) }
            return max(0, total - seen)
        }
    }
}

extension Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension StorageConfiguration {
    /// ``open(service:_:)`` through a ``MeasuredDatabase``.
    public func openMeasured<T>(service: String, _ build: (any Database) async throws -> T) async throws -> T {
        try await open(service: service) { database in try await build(MeasuredDatabase(database)) }
    }
}

/// Counts the ledger operations of the transfer service (``ServiceMetrics/ledgerOperations``).
public enum LedgerMetrics {
    /// Records one operation of `kind` (the ledger operation's name: deposit, freezeForTransfer,
    /// completeTransfer, releaseTransfer, retire, ...), applied or refused.
    public static func record(_ kind: String, applied: Bool) {
        let outcome = applied ? "applied" : "refused"
        let counter = counters.withLock { counters in
            if let counter = counters[kind]?[outcome] { return counter }
            let counter = Counter(label: ServiceMetrics.ledgerOperations.name, dimensions: [("kind", kind), ("outcome", outcome)])
            counters[kind, default: [:]][outcome] = counter
            return counter
        }
        counter.increment()
    }

    /// The counters made so far, by kind and outcome: a few kinds, so a short lock beside the
    /// transaction that applies the operation, instead of asking the factory each time.
    private static let counters = Mutex<[String: [String: Counter]]>([:])
}
