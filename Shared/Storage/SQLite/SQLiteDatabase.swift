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

    public var dialect: SQLDialect { .sqlite }

    /// Opens (creating if needed) the database file at `path`. Blocks while the file is opened; use
    /// ``open(path:)`` from async code.
    public init(path: String) throws(StorageError) {
        self.path = path
        self.queue = ConnectionQueue(label: "recs.storage.sqlite")
        self.connection = try SQLiteConnection(path: path)
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

    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (inout SQLTransaction) throws -> T) async throws -> T {
        try await withTransactionRetries {
            try await queue.run {
                guard let connection = self.connection else {
                    throw StorageError(.connectionFailed, "the database is closed")
                }
                return try connection.runTransaction(body, log: self.log.withLock { $0 })
            }
        }
    }

    /// Records every statement of later transactions into `log` (nil stops recording).
    public func recordStatements(into log: StatementLog?) {
        self.log.withLock { $0 = log }
    }

    public func close() async {
        _ = try? await queue.run {
            self.connection?.close()
            self.connection = nil
        }
    }
}
