import Synchronization

/// Every statement the transactions of one database ran, with its parameters, while recording.
///
/// For checks that look at all the SQL a piece of code runs rather than at a list kept by hand: the
/// query-plan test records a workload and asks the database how it would run each statement, so a
/// statement added later is checked too. Recording costs a lock and a copy per statement; nothing
/// records unless a ``StatementLog`` was attached (``SQLiteDatabase/recordStatements(into:)``).
public final class StatementLog: Sendable {
    public struct Entry: Sendable, Hashable {
        public let sql: String
        public let binds: [SQLValue]
        /// SQLite's virtual machine steps for the statement, its triggers included: the work it did,
        /// independent of the machine's speed. Nil on PostgreSQL and for a statement that failed.
        public let steps: Int64?

        public init(sql: String, binds: [SQLValue], steps: Int64? = nil) {
            self.sql = sql
            self.binds = binds
            self.steps = steps
        }
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    func record(_ sql: String, _ binds: [SQLValue], steps: Int64?) {
        entries.withLock { $0.append(Entry(sql: sql, binds: binds, steps: steps)) }
    }

    /// The SQLite virtual machine steps of everything recorded.
    public var steps: Int64 { entries.withLock { $0.reduce(0) { $0 + ($1.steps ?? 0) } } }

    /// What was recorded, in order.
    public var recorded: [Entry] { entries.withLock { $0 } }

    /// Forgets what was recorded.
    public func clear() { entries.withLock { $0.removeAll() } }
}
