import Foundation
import ProtoMessages
@testable import RegistryCore
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// ADR 0010: the registry keeps subaccounts as its own record (every field a column), not the
/// `Subaccount` bytes; databases that stored the bytes are converted by migration 0008 and list the
/// same subaccounts in the same order.
@Suite("registry subaccount records")
struct SubaccountRecordStorageTests {
    static func subaccount(
        _ id: String, _ kind: Recs_Common_V1_SubaccountKind, alias: String, opened: Bool, at seconds: Int64
    ) -> Recs_Registry_V1_Subaccount {
        var subaccount = Recs_Registry_V1_Subaccount()
        subaccount.subaccountId = id
        subaccount.organizationId = "A1"
        subaccount.kind = kind
        subaccount.alias = alias
        subaccount.openedWithAccount = opened
        subaccount.createdAt = ApiKeyRecord.timestamp(seconds)
        return subaccount
    }

    /// In the order the registry lists them: opened with the account first, by kind, then by age.
    static let subaccounts = [
        subaccount("1001AAAA-01AA", .active, alias: "Main", opened: true, at: 1_770_000_000),
        subaccount("1001AAAA-02AA", .retirement, alias: "", opened: true, at: 1_770_000_000),
        subaccount("1001AAAA-09ZZ", .active, alias: "Trading desk", opened: false, at: 1_770_000_500),
        subaccount("1001AAAA-05EE", .export, alias: "", opened: false, at: 1_770_000_900),
    ]

    /// What the registry wrote before migration 0008 (`insertSubaccount` at 151e0e7), with the
    /// organization and account that hold them.
    static func writeLegacy(_ database: any Database) async throws {
        try await RegistryRecordUpgrades.writeLegacy(database, before: "0008-registry-own-subaccount-records") { sql in
            for (index, subaccount) in subaccounts.enumerated() {
                try sql.execute(
                    """
                    INSERT INTO subaccounts (subaccount_id, organization_id, kind, opened_with_account, record, created_at_unix_ms)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    """,
                    .text(subaccount.subaccountId), .text(subaccount.organizationId), .text(RegistryCodes.name(subaccount.kind)),
                    .int64(subaccount.openedWithAccount ? 1 : 0), .bytes(subaccount.protobufBytes()), .int64(Int64(index)))
            }
        }
    }

    static func reads(_ database: any Database) async throws -> (one: Recs_Registry_V1_Subaccount?, all: [Recs_Registry_V1_Subaccount]) {
        try await RequestJournal(database: database, service: "registry").read { transaction in
            (try transaction.subaccount("1001AAAA-09ZZ"), try transaction.subaccounts(of: "A1"))
        }
    }

    @Test("Migration 0008: stored subaccount bytes upgrade and list the same subaccounts", arguments: TestDatabaseKind.allCases)
    func upgradeListsTheSame(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            try await RegistryRecordUpgrades.upgrade(test.database, applying: "0008-registry-own-subaccount-records", droppingFrom: "subaccounts")
            let read = try await Self.reads(test.database)
            #expect(read.one == Self.subaccounts[2])
            #expect(read.all == Self.subaccounts)
        }
    }

    @Test("A subaccount stored as the registry's record reads back equal", arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            try await test.database.migrate(RegistrySchema.migrations)
            let added = Self.subaccount("1001AAAA-07GG", .reserve, alias: "Reserve for the program", opened: false, at: 1_770_001_000)
            let read = try await test.database.transaction { sql in
                var transaction = JournalTransaction(sql: sql, requestID: "test", now: Date(timeIntervalSince1970: 1_770_001_000))
                try transaction.insertSubaccount(added)
                let read = try transaction.subaccount(added.subaccountId)
                sql = transaction.sql
                return read
            }
            #expect(read == added)
            let all = try await Self.reads(test.database).all
            // Listed among the others by the same order: not opened with the account, a reserve.
            #expect(all.map(\.subaccountId) == ["1001AAAA-01AA", "1001AAAA-02AA", "1001AAAA-09ZZ", "1001AAAA-07GG", "1001AAAA-05EE"])
        }
    }
}
