import Synchronization

/// A PostgreSQL database reached with libpq: a small pool of connections, each with its own serial
/// Dispatch queue on which its blocking calls run.
///
/// Transactions run at `SERIALIZABLE` (docs/decisions/0004-ledger.md). A transaction whose
/// connection breaks fails with `connectionFailed` and is not retried, because its commit may or may
/// not have happened; the broken connection is dropped and the next transaction opens a new one.
/// Callers make retries safe with idempotency keys.
public final class PostgresDatabase: Database, Sendable {
    public var dialect: SQLDialect { .postgres }
    private let pool: PostgresConnectionPool
    private let log = Mutex<StatementLog?>(nil)

    /// Prepares a database for `url` without connecting; the first transaction connects.
    /// `connectionsMax` bounds the connections open at once.
    public init(url: String, connectionsMax: Int = StorageLimits.postgresConnectionsMax) throws(StorageError) {
        precondition(connectionsMax >= 1, "a pool needs at least one connection")
        try PostgresConnection.checkURL(url)
        pool = PostgresConnectionPool(url: url, connectionsMax: connectionsMax)
    }

    /// Prepares the database and checks that the server answers.
    public static func open(
        url: String, connectionsMax: Int = StorageLimits.postgresConnectionsMax
    ) async throws(StorageError) -> PostgresDatabase {
        let database = try PostgresDatabase(url: url, connectionsMax: connectionsMax)
        do {
            _ = try await database.transaction { transaction in try transaction.execute("SELECT 1") }
        } catch let error as StorageError {
            await database.close()
            throw error
        } catch {
            await database.close()
            throw StorageError(.connectionFailed, StorageError.standardMessage(.connectionFailed), cause: "\(error)")
        }
        return database
    }

    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        try await withTransactionRetries {
            let connection = try await pool.acquire()
            do {
                let log = self.log.withLock { $0 }
                let value = try await connection.queue.run { try connection.runTransaction(body, log: log) }
                await pool.release(connection)
                return value
            } catch {
                await pool.release(connection)
                throw error
            }
        }
    }

    /// A transaction on the pool, `READ ONLY`: PostgreSQL's snapshots never wait for writers.
    public func read<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        try await transaction { transaction in
            try transaction.execute("SET TRANSACTION READ ONLY")
            return try body(&transaction)
        }
    }

    /// Records every statement of later transactions into `log` (nil stops recording).
    public func recordStatements(into log: StatementLog?) {
        self.log.withLock { $0 = log }
    }

    public func close() async {
        await pool.close()
    }
}

/// At most `connectionsMax` connections, opened on demand and reused; transactions beyond that wait
/// in line (at most ``StorageLimits/postgresWaitersMax`` of them).
actor PostgresConnectionPool {
    private let url: String
    private let connectionsMax: Int
    private var idle: [PostgresConnection] = []
    /// Connections open or being opened, idle ones included.
    private var openCount = 0
    /// Each waiter gets a connection, or nil meaning "a slot is free: open one yourself".
    private var waiters: [CheckedContinuation<PostgresConnection?, any Error>] = []
    private var closed = false

    init(url: String, connectionsMax: Int) {
        self.url = url
        self.connectionsMax = connectionsMax
    }

    func acquire() async throws(StorageError) -> PostgresConnection {
        while true {
            guard !closed else { throw StorageError(.connectionFailed, "the database is closed") }
            if let connection = idle.popLast() { return connection }
            if openCount < connectionsMax {
                openCount += 1
                do {
                    return try await PostgresConnection.connect(url: url)
                } catch {
                    openCount -= 1
                    wakeOneWaiter(with: nil)
                    throw error
                }
            }
            guard waiters.count < StorageLimits.postgresWaitersMax else {
                throw StorageError(
                    .connectionFailed, "the database is overloaded; retry later",
                    cause: "\(waiters.count) transactions already wait for a connection")
            }
            let handed: PostgresConnection?
            do {
                handed = try await withCheckedThrowingContinuation { waiters.append($0) }
            } catch let error as StorageError {
                throw error
            } catch {
                throw StorageError(.connectionFailed, "the database is closed", cause: "\(error)")
            }
            if let handed { return handed }
        }
    }

    func release(_ connection: PostgresConnection) async {
        if connection.isBroken || closed {
            openCount -= 1
            await close(connection)
            wakeOneWaiter(with: nil)
        } else if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func close() async {
        closed = true
        let connections = idle
        idle.removeAll()
        openCount -= connections.count
        for connection in connections { await close(connection) }
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.resume(throwing: StorageError(.connectionFailed, "the database is closed")) }
    }

    private func wakeOneWaiter(with connection: PostgresConnection?) {
        guard !waiters.isEmpty else { return }
        waiters.removeFirst().resume(returning: connection)
    }

    private func close(_ connection: PostgresConnection) async {
        _ = try? await connection.queue.run { connection.close() }
    }
}
