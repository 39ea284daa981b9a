import Foundation
import Storage
import StorageTestSupport
import Testing

@Suite("Storage configuration and connection settings")
struct ConfigurationTests {
    @Test("an empty URL means SQLite in the data directory; postgresql:// means PostgreSQL")
    func chooses() throws {
        #expect(try StorageConfiguration(databaseURL: nil, dataDirectory: "/data") == .sqlite(dataDirectory: "/data"))
        #expect(try StorageConfiguration(databaseURL: "", dataDirectory: "/data") == .sqlite(dataDirectory: "/data"))
        #expect(
            try StorageConfiguration(databaseURL: "postgresql://u@h/db", dataDirectory: "/data") == .postgres(url: "postgresql://u@h/db"))
        #expect(try StorageConfiguration(databaseURL: "postgres://u@h/db", dataDirectory: "/data") == .postgres(url: "postgres://u@h/db"))
        let error = #expect(throws: StorageError.self) { try StorageConfiguration(databaseURL: "mysql://h/db", dataDirectory: "/d") }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("SQLite: one file per service under the data directory, WAL, foreign keys, synchronous FULL")
    func sqliteFilePerService() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-config-\(UUID().uuidString)/nested")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let configuration = StorageConfiguration.sqlite(dataDirectory: directory.path)
        let registry = try await configuration.open(service: "registry")
        let transfer = try await configuration.open(service: "transfer")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("registry.sqlite").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("transfer.sqlite").path))
        let settings = try await registry.transaction { transaction in
            (
                try transaction.queryFirst("PRAGMA journal_mode")?.string("journal_mode"),
                try transaction.queryFirst("PRAGMA foreign_keys")?.int64("foreign_keys"),
                try transaction.queryFirst("PRAGMA synchronous")?.int64("synchronous"),
                try transaction.queryFirst("PRAGMA busy_timeout")?.int64("timeout")
            )
        }
        #expect(settings.0 == "wal")
        #expect(settings.1 == 1)
        #expect(settings.2 == 2, "2 is FULL")
        #expect(settings.3 == Int64(StorageLimits.sqliteBusyTimeoutMilliseconds))
        await registry.close()
        await transfer.close()
    }

    @Test("service names are checked before they become file names", arguments: ["", "../escape", "Registry", "a b", "x/y"])
    func badServiceName(service: String) async throws {
        let error = await #expect(throws: StorageError.self) {
            try await StorageConfiguration.sqlite(dataDirectory: FileManager.default.temporaryDirectory.path).open(service: service)
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("PostgreSQL: a server that does not answer is connectionFailed, a malformed URL invalidConfiguration")
    func postgresUnreachable() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let refused = await #expect(throws: StorageError.self) {
            try await PostgresDatabase.open(url: "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
        }
        #expect(refused?.code == .connectionFailed)
        #expect(refused?.message.contains("127.0.0.1") == false)
        let malformed = #expect(throws: StorageError.self) { try PostgresDatabase(url: "postgresql://[broken") }
        #expect(malformed?.code == .invalidConfiguration)
    }

    @Test("PostgreSQL transactions are SERIALIZABLE")
    func postgresIsolation() async throws {
        try await withDatabase(.postgres) { test in
            let level = try await test.database.transaction { transaction in
                try transaction.queryFirst("SELECT current_setting('transaction_isolation') AS level")?.string("level")
            }
            #expect(level == "serializable")
        }
    }
}
