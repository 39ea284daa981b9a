import ProtoMessages
@testable import RegistryCore
import Storage
import Testing

/// What the registry's record upgrade tests share (ADR 0010).
enum RegistryRecordUpgrades {
    /// Migrates to just before `migration`, then writes organization A1 (with its account) as the
    /// registry wrote it then, and whatever `rows` writes.
    static func writeLegacy(
        _ database: any Database, before migration: String, _ rows: @escaping @Sendable (inout SQLTransaction) throws -> Void
    ) async throws {
        let index = try #require(RegistrySchema.migrations.firstIndex { $0.name == migration })
        try await database.migrate(Array(RegistrySchema.migrations.prefix(index)))
        try await database.transaction { sql in
            var organization = Recs_Registry_V1_Organization()
            organization.organizationId = "A1"
            try sql.execute(
                """
                INSERT INTO organizations (organization_number, organization_id, name, type, status, record, created_at_unix_ms)
                VALUES (1, 'A1', 'Org', 'account_holder', 'active', $1, 0)
                """, .bytes(organization.protobufBytes()))
            try sql.execute("INSERT INTO accounts (organization_id, status, opened_at_unix_ms) VALUES ('A1', 'active', 0)")
            try rows(&sql)
        }
    }

    /// Migrates to the end: `migration` and every one after it are applied, and `table` has no
    /// `record` column left.
    static func upgrade(_ database: any Database, applying migration: String, droppingFrom table: String) async throws {
        let applied = try await database.migrate(RegistrySchema.migrations)
        let index = try #require(RegistrySchema.migrations.firstIndex { $0.name == migration })
        #expect(applied.first == migration && applied == RegistrySchema.migrations.dropFirst(index).map(\.name))
        await #expect(throws: StorageError.self) {
            try await database.transaction { sql in _ = try sql.query("SELECT record FROM \(table)") }
        }
    }
}
