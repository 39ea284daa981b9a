import Foundation

/// One forward-only step of a service's schema. Migrations are never edited or removed once
/// released: a change is a new migration at the end of the list.
///
/// `statements` run on both databases; `overrides` replaces them for one dialect where the SQL
/// differs (types, identity columns, `EXCLUDE` constraints on PostgreSQL, triggers on SQLite).
///
/// `transform`, when given, runs after the statements in the same transaction: a data migration
/// that SQL alone cannot express (re-encoding stored records). Like the statements, it must work on
/// whatever the previous migrations left, and never runs twice.
public struct Migration: Sendable, Hashable {
    public typealias Transform = @Sendable (inout SQLTransaction) throws -> Void

    public let name: String
    public let statements: [String]
    public let overrides: [SQLDialect: [String]]
    public let transform: Transform?

    public init(
        name: String, statements: [String] = [], overrides: [SQLDialect: [String]] = [:], transform: Transform? = nil
    ) {
        precondition(
            !name.isEmpty && name.count <= StorageLimits.migrationNameCharactersMax,
            "a migration name has 1 to \(StorageLimits.migrationNameCharactersMax) characters")
        self.name = name
        self.statements = statements
        self.overrides = overrides
        self.transform = transform
    }

    public static func == (lhs: Migration, rhs: Migration) -> Bool {
        lhs.name == rhs.name && lhs.statements == rhs.statements && lhs.overrides == rhs.overrides
            && (lhs.transform == nil) == (rhs.transform == nil)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(statements)
        hasher.combine(overrides)
    }

    public func statements(for dialect: SQLDialect) -> [String] {
        overrides[dialect] ?? statements
    }
}

extension Database {
    /// Brings the schema up to date: applies, in order, the migrations not yet recorded in
    /// `schema_migrations`, each in its own transaction together with its record, and returns the
    /// names it applied.
    ///
    /// Refuses (`migrationMismatch`) when the database records a migration this list does not
    /// contain at that position: the database was written by a newer or a different version, and
    /// running this one against it could corrupt it.
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [String] {
        precondition(Set(migrations.map(\.name)).count == migrations.count, "migration names are unique")
        let names = migrations.map(\.name)
        let applied = try await transaction { transaction in
            try transaction.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    position BIGINT NOT NULL UNIQUE,
                    name TEXT NOT NULL PRIMARY KEY,
                    applied_at_unix_ms BIGINT NOT NULL
                )
                """)
            let rows = try transaction.query("SELECT position, name FROM schema_migrations ORDER BY position")
            return try rows.map { row throws(StorageError) in try row.string("name") }
        }
        try Self.checkPrefix(applied, of: names)

        var appliedNow: [String] = []
        for (position, migration) in migrations.enumerated() where position >= applied.count {
            let dialect = self.dialect
            let ran = try await transaction { transaction in
                // Another process may have applied it since we looked; then there is nothing to do.
                let recorded = try transaction.query("SELECT position, name FROM schema_migrations ORDER BY position")
                    .map { row throws(StorageError) in try row.string("name") }
                try Self.checkPrefix(recorded, of: names)
                guard recorded.count == position else { return false }
                // Recording first makes a concurrent migrator wait on the key, then fail and retry.
                try transaction.execute(
                    "INSERT INTO schema_migrations (position, name, applied_at_unix_ms) VALUES ($1, $2, $3)",
                    .int64(Int64(position)), .text(migration.name), .int64(Int64(Date().timeIntervalSince1970 * 1_000)))
                for statement in migration.statements(for: dialect) {
                    try transaction.execute(statement)
                }
                try migration.transform?(&transaction)
                return true
            }
            if ran { appliedNow.append(migration.name) }
        }
        return appliedNow
    }

    private static func checkPrefix(_ recorded: [String], of names: [String]) throws(StorageError) {
        for (position, name) in recorded.enumerated() {
            guard position < names.count else {
                throw StorageError(
                    .migrationMismatch,
                    "the database was migrated by a newer version of the program; refusing to use it",
                    cause: "unknown migration \(name) at position \(position)")
            }
            guard names[position] == name else {
                throw StorageError(
                    .migrationMismatch,
                    names.contains(name)
                        ? "the database's migrations were applied in another order than this version's; refusing to use it"
                        : "the database has a migration this version does not know; refusing to use it",
                    cause: "migration \(name) recorded at position \(position), expected \(names[position])")
            }
        }
    }
}
