import Dispatch
import Foundation

/// The SQL spoken by a database. Migrations can give per-dialect statements where the two differ.
public enum SQLDialect: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// A service's database: the only way to read or write it is a transaction.
///
/// ```swift
/// let balance = try await database.transaction { transaction in
///     try transaction.execute("UPDATE accounts SET balance = balance - $1 WHERE id = $2", .int64(10), .text(id))
///     return try transaction.queryFirst("SELECT balance FROM accounts WHERE id = $1", .text(id))?.int64("balance")
/// }
/// ```
///
/// The body runs on a thread that belongs to one connection (a serial Dispatch queue per connection),
/// never on the Swift concurrency pool, because the C libraries block. It runs between `BEGIN` and
/// `COMMIT`; any error it throws rolls the transaction back and is rethrown unchanged. A transaction
/// that conflicts with a concurrent one (`serializationFailure`) is rolled back and run again, up to
/// ``StorageLimits/transactionAttemptsMax`` times, so the body must do nothing but database work: no
/// I/O, no mutation of outside state. The body is `@escaping` because it is handed to the
/// connection's queue; it is released when the transaction ends.
public protocol Database: Sendable {
    var dialect: SQLDialect { get }

    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T

    /// Closes every connection. Transactions started afterwards fail with `connectionFailed`.
    func close() async

    /// Records every statement of the transactions started from now on into `log`; nil stops.
    func recordStatements(into log: StatementLog?)

    /// A transaction that only reads: it sees one consistent snapshot of what was committed, and
    /// does not wait behind writers (SQLite: one of a few read connections on the write-ahead log;
    /// PostgreSQL: a pooled connection, `READ ONLY`). A write in it fails.
    func read<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T
}

/// Where a service keeps its data: the embedded default, or a PostgreSQL server.
public enum StorageConfiguration: Sendable, Hashable {
    /// One SQLite file per service, `<dataDirectory>/<service>.sqlite`.
    case sqlite(dataDirectory: String)
    /// A PostgreSQL database named by a libpq URL; each service is given its own database.
    case postgres(url: String)

    /// PostgreSQL when `databaseURL` is a `postgres://` or `postgresql://` URL, SQLite in
    /// `dataDirectory` when it is nil or empty.
    public init(databaseURL: String?, dataDirectory: String) throws(StorageError) {
        guard let databaseURL, !databaseURL.isEmpty else {
            self = .sqlite(dataDirectory: dataDirectory)
            return
        }
        guard databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") else {
            throw StorageError(
                .invalidConfiguration, "the database URL must start with postgresql:// (or be empty for the embedded database)")
        }
        self = .postgres(url: databaseURL)
    }

    /// Opens the database of `service` (no migration is run).
    public func open(service: String) async throws(StorageError) -> any Database {
        switch self {
        case .sqlite(let dataDirectory):
            return try await SQLiteDatabase.open(dataDirectory: dataDirectory, service: service)
        case .postgres(let url):
            return try await PostgresDatabase.open(url: url)
        }
    }
}

extension StorageConfiguration {
    /// Opens the database of `service` and hands it to `build` (migrations, the service's objects);
    /// closes it again when `build` fails, so a failed start-up leaves no connection behind.
    public func open<T>(service: String, _ build: (any Database) async throws -> T) async throws -> T {
        let database = try await open(service: service)
        do {
            return try await build(database)
        } catch {
            await database.close()
            throw error
        }
    }
}

/// The statements of one transaction. Only ``Database/transaction(_:)`` creates one.
///
/// Parameters are written `$1`, `$2`, ... on both databases, and a parameter can be used more than
/// once. Every value passed must be used by the statement, and every parameter must be given.
///
/// After a statement fails, the transaction is aborted (as PostgreSQL does it): later statements fail
/// with `statementFailed` and the transaction rolls back. SQLite is made to behave the same way, so
/// code tested on one database behaves alike on the other.
public struct SQLTransaction {
    let connection: any SQLConnection
    let log: StatementLog?

    init(connection: any SQLConnection, log: StatementLog? = nil) {
        self.connection = connection
        self.log = log
    }

    public var dialect: SQLDialect { connection.dialect }

    /// Runs a statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    public mutating func execute(_ sql: String, _ binds: SQLValue...) throws(StorageError) -> Int64 {
        try run(sql, binds).rowsAffected
    }

    @discardableResult
    public mutating func execute(_ sql: String, binds: [SQLValue]) throws(StorageError) -> Int64 {
        try run(sql, binds).rowsAffected
    }

    public mutating func query(_ sql: String, _ binds: SQLValue...) throws(StorageError) -> [SQLRow] {
        try run(sql, binds).rows
    }

    public mutating func query(_ sql: String, binds: [SQLValue]) throws(StorageError) -> [SQLRow] {
        try run(sql, binds).rows
    }

    /// The first row, or nil when there is none.
    public mutating func queryFirst(_ sql: String, _ binds: SQLValue...) throws(StorageError) -> SQLRow? {
        try run(sql, binds).rows.first
    }

    public mutating func queryFirst(_ sql: String, binds: [SQLValue]) throws(StorageError) -> SQLRow? {
        try run(sql, binds).rows.first
    }

    /// Marks a point the transaction can go back to with ``rollback(toSavepoint:)``. `name` is an
    /// identifier chosen by the code, never by a caller.
    public mutating func savepoint(_ name: String) throws(StorageError) {
        try execute("SAVEPOINT \(name)")
    }

    /// Keeps what was done since the savepoint, as part of the transaction.
    public mutating func release(savepoint name: String) throws(StorageError) {
        try execute("RELEASE SAVEPOINT \(name)")
    }

    /// Undoes everything since the savepoint, a failed statement included, and ends the savepoint:
    /// the transaction goes on as it was before it.
    public mutating func rollback(toSavepoint name: String) throws(StorageError) {
        _ = try connection.execute("ROLLBACK TO SAVEPOINT \(name)", [])
        _ = try connection.execute("RELEASE SAVEPOINT \(name)", [])
        connection.transactionAborted = false
    }

    private mutating func run(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> SQLResult {
        guard !connection.transactionAborted else {
            throw StorageError(
                .statementFailed, StorageError.standardMessage(.statementFailed),
                cause: "statement in a transaction already aborted by an earlier error")
        }
        for bind in binds {
            if case .text(let text) = bind, text.utf8.contains(0) {
                throw StorageError(.invalidValue, "text with a NUL character cannot be stored")
            }
        }
        do {
            let result = try connection.execute(sql, binds)
            log?.record(sql, binds, steps: result.steps)
            return result
        } catch {
            log?.record(sql, binds, steps: nil)
            connection.transactionAborted = true
            throw error
        }
    }
}

/// One open connection of either database. Used only from its own queue.
protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// Set when a statement of the current transaction failed.
    var transactionAborted: Bool { get set }
    /// Set when the connection cannot be used again (the server went away).
    var isBroken: Bool { get }
    func execute(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> SQLResult
    func begin() throws(StorageError)
    func commit() throws(StorageError)
    /// Rolls back if a transaction is open; never fails (a broken connection is discarded anyway).
    func rollback()
    func close()
}

extension SQLConnection {
    /// One attempt of a transaction on this connection; runs on the connection's queue.
    func runTransaction<T>(_ body: (inout SQLTransaction) throws -> T, log: StatementLog? = nil) throws -> T {
        transactionAborted = false
        try begin()
        var transaction = SQLTransaction(connection: self, log: log)
        do {
            let value = try body(&transaction)
            guard !transactionAborted else {
                // The body swallowed a failed statement. PostgreSQL would answer COMMIT with a silent
                // ROLLBACK; make that loud on both databases instead of reporting success.
                throw StorageError(
                    .statementFailed, StorageError.standardMessage(.statementFailed),
                    cause: "a statement failed inside the transaction and its error was not rethrown; rolled back")
            }
            try commit()
            return value
        } catch {
            rollback()
            throw error
        }
    }
}

/// Runs blocking work on a dedicated serial Dispatch queue and awaits its result, so that the C
/// libraries' blocking calls never occupy a thread of the Swift concurrency pool.
struct ConnectionQueue: Sendable {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

/// Runs `attempt` again while it fails with a retryable storage error, with a short jittered pause.
func withTransactionRetries<T: Sendable>(_ attempt: () async throws -> T) async throws -> T {
    var attempts = 1
    while true {
        do {
            return try await attempt()
        } catch let error as StorageError where error.isRetryable && attempts < StorageLimits.transactionAttemptsMax {
            let ceiling = min(StorageLimits.retryBackoffMillisecondsMax, 1 << attempts)
            let pause = Int.random(in: 0...ceiling)
            try? await Task.sleep(for: .milliseconds(pause))
            attempts += 1
        }
    }
}
