import Foundation
import Synchronization

/// The embedded database: one SQLite file, one connection, one serial Dispatch queue.
///
/// SQLite lets one writer at a time anyway, so a single connection per database loses nothing and
/// makes every transaction serializable: within this process transactions run one after another on
/// the queue; other processes (or other `SQLiteDatabase` values on the same file) wait for the write
/// lock up to ``StorageLimits/sqliteBusyTimeoutMilliseconds`` and then get `serializationFailure`,
/// which ``transaction(_:)`` retries.
public final class SQLiteDatabase: Database, @unchecked Sendable {
    // `@unchecked`: `connection` is touched only on `queue`.
    public let path: String
    private let queue: ConnectionQueue
    private var connection: SQLiteConnection?
    private let log = Mutex<StatementLog?>(nil)
    private let group = GroupCommitQueue()
    /// Read connections, each on its own queue, opened on first use.
    private let readers: [Reader]
    private let nextReader = Mutex(0)
    private let counts = Mutex(CommitCounts())

    /// How many transactions committed, in how many commits (each one fsync of the log with
    /// `synchronous = FULL`): group commit makes the second smaller than the first under load.
    public struct CommitCounts: Sendable, Hashable {
        public var transactions = 0
        public var commits = 0
    }

    public var commitCounts: CommitCounts { counts.withLock { $0 } }

    public var dialect: SQLDialect { .sqlite }

    /// Opens (creating if needed) the database file at `path`. Blocks while the file is opened; use
    /// ``open(path:)`` from async code.
    public init(path: String) throws(StorageError) {
        self.path = path
        self.queue = ConnectionQueue(label: "recs.storage.sqlite")
        self.connection = try SQLiteConnection(path: path)
        self.readers = path == ":memory:" ? [] : (0..<StorageLimits.sqliteReadersMax).map { Reader(path: path, index: $0) }
    }

    /// Opens the database at `path` on its own queue.
    public static func open(path: String) async throws(StorageError) -> SQLiteDatabase {
        do {
            return try await ConnectionQueue(label: "recs.storage.sqlite.open").run { try SQLiteDatabase(path: path) }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.connectionFailed, "the database file cannot be opened", cause: "\(error)")
        }
    }

    /// Opens `<dataDirectory>/<service>.sqlite`, creating the directory if needed.
    public static func open(dataDirectory: String, service: String) async throws(StorageError) -> SQLiteDatabase {
        try checkServiceName(service)
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StorageError(
                .invalidConfiguration, "the data directory cannot be created", cause: "\(dataDirectory): \(error)")
        }
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("\(service).sqlite").path
        return try await open(path: path)
    }

    /// One read connection and the queue it is used on.
    final class Reader: @unchecked Sendable {
        // `@unchecked`: `opened` is touched only on `queue`.
        let path: String
        let queue: ConnectionQueue
        private var opened: SQLiteConnection?
        private var closed = false

        init(path: String, index: Int) {
            self.path = path
            self.queue = ConnectionQueue(label: "recs.storage.sqlite.reader.\(index)")
        }

        /// The connection, opened on first use (on the queue).
        func connection() throws(StorageError) -> SQLiteConnection {
            guard !closed else { throw StorageError(.connectionFailed, "the database is closed") }
            if let opened, !opened.isBroken { return opened }
            let connection = try SQLiteConnection(path: path, reader: true)
            opened = connection
            return connection
        }

        func close() async {
            _ = try? await queue.run {
                self.closed = true
                self.opened?.close()
                self.opened = nil
            }
        }
    }

    /// Service names become file names: lower-case letters, digits and hyphens only.
    static func checkServiceName(_ service: String) throws(StorageError) {
        let allowed = service.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
        guard allowed, !service.isEmpty, service.utf8.count <= StorageLimits.serviceNameCharactersMax else {
            throw StorageError(
                .invalidConfiguration,
                "a service name has 1 to \(StorageLimits.serviceNameCharactersMax) lower-case letters, digits and hyphens",
                cause: "service name \(service)")
        }
    }

    /// Runs `body` in a transaction. Concurrent callers share one commit (group commit, see
    /// ``GroupCommitQueue``): each body still runs alone, inside its own savepoint, and sees the
    /// writes of those before it in the group; none is answered before the commit is durable.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        try await withTransactionRetries {
            try await withCheckedThrowingContinuation { continuation in
                if group.enqueue(GroupMember.make(body, continuation)) {
                    queue.queue.async { self.drain() }
                }
            }
        }
    }

    /// Runs groups on the connection's queue until nobody waits.
    private func drain() {
        while true {
            let members = group.nextGroup()
            guard !members.isEmpty else { return }
            guard let connection else {
                for member in members { member.fail(StorageError(.connectionFailed, "the database is closed")) }
                continue
            }
            connection.runGroup(members, log: log.withLock { $0 }) { transactions in
                counts.withLock { counts in
                    counts.transactions += transactions
                    counts.commits += 1
                }
            }
        }
    }

    /// Records every statement of later transactions into `log` (nil stops recording).
    public func recordStatements(into log: StatementLog?) {
        self.log.withLock { $0 = log }
    }

    /// A read-only transaction on one of the read connections: it reads the last committed snapshot
    /// and does not wait behind the writer or its group (write-ahead logging lets readers and one
    /// writer work at once). An in-memory database has no second connection: there it is an
    /// ordinary transaction.
    public func read<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        guard !readers.isEmpty else { return try await transaction(body) }
        let reader = readers[nextReader.withLock { next in defer { next = (next + 1) % readers.count }; return next }]
        let log = self.log.withLock { $0 }
        return try await withTransactionRetries {
            try await reader.queue.run {
                try reader.connection().runTransaction(body, log: log)
            }
        }
    }

    public func close() async {
        for reader in readers { await reader.close() }
        _ = try? await queue.run {
            self.connection?.close()
            self.connection = nil
        }
    }
}
