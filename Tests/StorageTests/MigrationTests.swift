import Foundation
import Storage
import StorageTestSupport
import Testing

@Suite("Forward-only migrations (SQLite and PostgreSQL)")
struct MigrationTests {
    static let first = Migration(
        name: "0001-create-notes",
        statements: ["CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)"])
    static let second = Migration(
        name: "0002-dialect-specific",
        statements: ["CREATE TABLE never_used (id BIGINT)"],
        overrides: [
            .sqlite: ["CREATE TABLE flavours (id INTEGER PRIMARY KEY, dialect TEXT NOT NULL DEFAULT 'sqlite') STRICT"],
            .postgres: ["CREATE TABLE flavours (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, dialect TEXT NOT NULL DEFAULT 'postgres')"],
        ])

    static func names(_ database: any Database) async throws -> [String] {
        try await database.transaction { transaction in
            try transaction.query("SELECT name FROM schema_migrations ORDER BY position").map { try $0.string("name") }
        }
    }

    @Test("applies each migration once, in order, with the dialect's statements", arguments: TestDatabaseKind.allCases)
    func appliesInOrder(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            #expect(try await test.database.migrate([Self.first]) == ["0001-create-notes"])
            #expect(try await test.database.migrate([Self.first, Self.second]) == ["0002-dialect-specific"])
            #expect(try await test.database.migrate([Self.first, Self.second]) == [])
            #expect(try await Self.names(test.database) == ["0001-create-notes", "0002-dialect-specific"])
            let dialect = try await test.database.transaction { transaction in
                try transaction.execute("INSERT INTO flavours DEFAULT VALUES")
                return try transaction.queryFirst("SELECT dialect FROM flavours")?.string("dialect")
            }
            #expect(dialect == kind.rawValue)
        }
    }

    @Test("a failing migration leaves no trace, and the earlier ones stay", arguments: TestDatabaseKind.allCases)
    func failingMigrationRollsBack(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            let broken = Migration(
                name: "0002-broken",
                statements: ["CREATE TABLE half_done (id BIGINT)", "CREATE TABLE notes (id BIGINT)"])
            let error = await #expect(throws: StorageError.self) { try await test.database.migrate([Self.first, broken]) }
            #expect(error?.code == .statementFailed)
            let names = try await Self.names(test.database)
            #expect(names == ["0001-create-notes"])
            // Its first statement was rolled back with it: the table does not exist.
            await #expect(throws: StorageError.self) {
                try await test.database.transaction { transaction in try transaction.query("SELECT * FROM half_done") }
            }
        }
    }

    @Test("refuses a database that has a migration this binary does not know", arguments: TestDatabaseKind.allCases)
    func refusesUnknownMigration(kind: TestDatabaseKind) async throws {
        try await withDatabase(kind) { test in
            try await test.database.migrate([Self.first, Self.second])
            // An older binary knows only the first migration.
            let newer = await #expect(throws: StorageError.self) { try await test.database.migrate([Self.first]) }
            #expect(newer?.code == .migrationMismatch)
            // A binary whose list differs at a recorded position.
            let other = Migration(name: "0002-something-else", statements: ["CREATE TABLE other (id BIGINT)"])
            let different = await #expect(throws: StorageError.self) { try await test.database.migrate([Self.first, other]) }
            #expect(different?.code == .migrationMismatch)
            // Reordered.
            let reordered = await #expect(throws: StorageError.self) { try await test.database.migrate([Self.second, Self.first]) }
            #expect(reordered?.code == .migrationMismatch)
            // Nothing was changed by the refusals.
            #expect(try await Self.names(test.database) == ["0001-create-notes", "0002-dialect-specific"])
        }
    }
}
