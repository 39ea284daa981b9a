import Foundation
import ProtoMessages
@testable import RegistryCore
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// ADR 0010: the registry keeps API keys as its own record (every field a column), not the `ApiKey`
/// bytes; databases that stored the bytes are converted by migration 0007 and the key use cases read
/// exactly the keys they held.
@Suite("registry API key records")
struct ApiKeyRecordStorageTests {
    static func timestamp(_ seconds: Int64) -> Recs_Common_V1_Timestamp { ApiKeyRecord.timestamp(seconds) }

    /// An active key with its hash and a revoked one, both of login U1.
    static var keys: [Recs_Registry_V1_ApiKey] {
        var active = Recs_Registry_V1_ApiKey()
        active.keyId = "K1"
        active.userId = "U1"
        active.organizationId = "A1"
        active.label = "deploy bot"
        active.status = .active
        active.createdAt = timestamp(1_770_000_000)
        active.secretSha256 = Array(0..<32)
        var revoked = active
        revoked.keyId = "K2"
        revoked.label = ""
        revoked.status = .revoked
        revoked.createdAt = timestamp(1_770_000_100)
        revoked.revokedAt = timestamp(1_770_000_200)
        revoked.secretSha256 = Array(repeating: 7, count: 32)
        return [active, revoked]
    }

    /// What the registry wrote before migration 0007 (`insertApiKey` at 151e0e7), with the
    /// organization and login the keys belong to.
    static func writeLegacy(_ database: any Database) async throws {
        try await RegistryRecordUpgrades.writeLegacy(database, before: "0007-registry-own-api-key-records") { sql in
            var user = Recs_Registry_V1_User()
            user.userId = "U1"
            user.organizationId = "A1"
            try sql.execute(
                "INSERT INTO users (user_id, organization_id, login_key, record, created_at_unix_ms) VALUES ('U1', 'A1', 'u1', $1, 0)",
                .bytes(user.protobufBytes()))
            for (index, key) in keys.enumerated() {
                try sql.execute(
                    "INSERT INTO api_keys (key_id, user_id, organization_id, record, created_at_unix_ms) VALUES ($1, $2, $3, $4, $5)",
                    .text(key.keyId), .text(key.userId), .text(key.organizationId), .bytes(key.protobufBytes()), .int64(Int64(index)))
            }
        }
    }

    static func reads(_ database: any Database) async throws -> (one: Recs_Registry_V1_ApiKey?, all: [Recs_Registry_V1_ApiKey]) {
        try await RequestJournal(database: database, service: "registry").read { transaction in
            (try transaction.apiKey("K2"), try transaction.apiKeys(ofUser: "U1", after: nil, limit: 1_000).map(\.1))
        }
    }

    @Test("Migration 0007: stored key bytes upgrade and read back as the same keys", arguments: TestDatabaseKind.allCases)
    func upgradeReadsTheSame(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            try await RegistryRecordUpgrades.upgrade(test.database, applying: "0007-registry-own-api-key-records", droppingFrom: "api_keys")
            let read = try await Self.reads(test.database)
            #expect(read.one == Self.keys[1])
            #expect(read.all == Self.keys)
        }
    }

    @Test("A key stored as the registry's record reads back equal, and its revocation too", arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            try await test.database.migrate(RegistrySchema.migrations)
            var fresh = Self.keys[0]
            fresh.keyId = "K3"
            var revoked = fresh
            revoked.status = .revoked
            revoked.revokedAt = Self.timestamp(1_770_001_000)
            let (inserted, updated) = try await test.database.transaction { [fresh, revoked] sql in
                var transaction = JournalTransaction(sql: sql, requestID: "test", now: Date(timeIntervalSince1970: 1_770_000_500))
                try transaction.insertApiKey(fresh)
                let inserted = try transaction.apiKey("K3")
                try transaction.updateApiKey(revoked)
                let updated = try transaction.apiKey("K3")
                sql = transaction.sql
                return (inserted, updated)
            }
            #expect(inserted == fresh)
            #expect(updated == revoked)
            let all = try await Self.reads(test.database).all
            #expect(all.map(\.keyId) == ["K1", "K2", "K3"])
        }
    }
}
