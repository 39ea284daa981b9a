import Foundation
import Storage
import Synchronization

/// The databases every contract test runs against.
public enum TestDatabaseKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// Where the tests find PostgreSQL: `RECS_TEST_POSTGRES_URL`, as printed by
/// `scripts/start-test-postgres.sh`. Without it the PostgreSQL cases are skipped, or fail when `CI`
/// is set (CI must test both databases).
public enum TestPostgres {
    public static let urlVariable = "RECS_TEST_POSTGRES_URL"

    public static var url: String? {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else { return nil }
        return url
    }

    public static var isCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !value.isEmpty && value != "0" && value.lowercased() != "false"
    }

    public static let missingMessage =
        "\(urlVariable) is not set, so PostgreSQL was not tested: run `export \(urlVariable)=$(scripts/start-test-postgres.sh)` first"

    /// Connections per test database: tests run in parallel against one server.
    public static let connectionsPerTestMax = 2
}

public enum TestDatabaseAvailability: Sendable {
    case available(TestDatabase)
    /// The database cannot be tested here; `isFailure` when that must fail the run (CI).
    case unavailable(message: String, isFailure: Bool)
}

/// A fresh, empty database for one test: a new SQLite file in a temporary directory, or a new
/// schema in the PostgreSQL test database (selected through `search_path`), removed by ``tearDown()``.
public final class TestDatabase: Sendable {
    public let kind: TestDatabaseKind
    public let database: any Database
    private let location: Location
    private let extraHandles = Mutex<[any Database]>([])

    enum Location: Sendable {
        case sqlite(directory: URL, path: String)
        case postgres(baseURL: String, url: String, schema: String)
    }

    /// The libpq URL of a PostgreSQL test schema (for a child process); nil for SQLite.
    public var postgresURL: String? {
        if case .postgres(_, let url, _) = location { url } else { nil }
    }

    init(kind: TestDatabaseKind, database: any Database, location: Location) {
        self.kind = kind
        self.database = database
        self.location = location
    }

    /// Creates the database of `kind`, or says why it cannot.
    public static func make(_ kind: TestDatabaseKind) async throws -> TestDatabaseAvailability {
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-storage-\(UUID().uuidString)")
            let database = try await SQLiteDatabase.open(dataDirectory: directory.path, service: "test")
            return .available(
                TestDatabase(kind: kind, database: database, location: .sqlite(directory: directory, path: database.path)))
        case .postgres:
            guard let baseURL = TestPostgres.url else {
                return .unavailable(message: TestPostgres.missingMessage, isFailure: TestPostgres.isCI)
            }
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await PostgresAdministration.shared.createSchema(schema, baseURL: baseURL)
            let url = Self.url(baseURL, searchPath: schema)
            let database = try await PostgresDatabase.open(url: url, connectionsMax: TestPostgres.connectionsPerTestMax)
            return .available(
                TestDatabase(kind: kind, database: database, location: .postgres(baseURL: baseURL, url: url, schema: schema)))
        }
    }

    /// Another handle on the same data (a second SQLite connection to the file, a second pool on the
    /// schema), for tests of concurrent transactions. Closed by ``tearDown()``.
    public func openAnotherHandle() async throws -> any Database {
        let handle: any Database
        switch location {
        case .sqlite(_, let path):
            handle = try await SQLiteDatabase.open(path: path)
        case .postgres(_, let url, _):
            handle = try await PostgresDatabase.open(url: url, connectionsMax: TestPostgres.connectionsPerTestMax)
        }
        extraHandles.withLock { $0.append(handle) }
        return handle
    }

    /// Closes every handle and removes the data.
    public func tearDown() async {
        for handle in extraHandles.withLock({ handles in defer { handles.removeAll() }; return handles }) {
            await handle.close()
        }
        await database.close()
        switch location {
        case .sqlite(let directory, _):
            try? FileManager.default.removeItem(at: directory)
        case .postgres(let baseURL, _, let schema):
            try? await PostgresAdministration.shared.dropSchema(schema, baseURL: baseURL)
        }
    }

    /// `baseURL` with `search_path` set to `schema` through libpq's `options` parameter.
    static func url(_ baseURL: String, searchPath schema: String) -> String {
        let separator = baseURL.contains("?") ? "&" : "?"
        return "\(baseURL)\(separator)options=-csearch_path%3D\(schema)"
    }
}

/// Creates and drops test schemas through one administrative connection, and makes sure once that
/// btree_gist exists in the public schema (extensions are per database; the ledger's migration
/// would otherwise install it into the first test's schema, which is dropped afterwards).
actor PostgresAdministration {
    static let shared = PostgresAdministration()
    private var database: PostgresDatabase?

    private func administration(_ baseURL: String) async throws -> PostgresDatabase {
        if let database { return database }
        let database = try await PostgresDatabase.open(url: baseURL, connectionsMax: 1)
        try await database.transaction { transaction in
            let present = try transaction.queryFirst("SELECT 1 AS present FROM pg_extension WHERE extname = 'btree_gist'")
            if present == nil { try transaction.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public") }
        }
        self.database = database
        return database
    }

    func createSchema(_ schema: String, baseURL: String) async throws {
        try await administration(baseURL).transaction { transaction in try transaction.execute("CREATE SCHEMA \(schema)") }
    }

    func dropSchema(_ schema: String, baseURL: String) async throws {
        try await administration(baseURL).transaction { transaction in try transaction.execute("DROP SCHEMA \(schema) CASCADE") }
    }
}
