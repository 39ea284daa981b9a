import Foundation
import ProtoMessages
@testable import RegistryCore
import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// ADR 0010: the registry keeps logins as its own record (every field a column, grants in
/// `user_permissions`), not the `User` bytes; databases that stored the bytes are converted by
/// migration 0009 and the user use cases read exactly the logins they held.
@Suite("registry login records")
struct LoginRecordStorageTests {
    static func grant(_ permission: Recs_Registry_V1_Permission, _ scope: Recs_Registry_V1_PermissionGrant.OneOf_Scope?) -> Recs_Registry_V1_PermissionGrant {
        var grant = Recs_Registry_V1_PermissionGrant()
        grant.permission = permission
        grant.scope = scope
        return grant
    }

    /// A Manager with every field and grants of each scope; an agent pending approval, rejected
    /// once, with its company and form; a View Only login with nothing optional.
    static var users: [Recs_Registry_V1_User] {
        var manager = Recs_Registry_V1_User()
        manager.userId = "U1"
        manager.organizationId = "A1"
        manager.kind = .inOrganization
        manager.accessLevel = .manager
        manager.status = .active
        manager.personName = "Pat Manager"
        manager.email = "pat@example.org"
        manager.login = "Pat.Manager"
        manager.permissions = [
            grant(.generationManagement, .generatingUnitId("W1")), grant(.certificateManagement, .subaccountId("1001AAAA-01AA")),
            grant(.certificateManagement, nil), grant(.generationManagement, .subaccountId("")),
        ]
        manager.createdAt = ApiKeyRecord.timestamp(1_770_000_000)
        manager.statusChangedAt = ApiKeyRecord.timestamp(1_770_000_000)
        var agent = manager
        agent.userId = "U2"
        agent.kind = .thirdPartyAgent
        agent.accessLevel = .maintenance
        agent.status = .pendingApproval
        agent.login = "agent-2"
        agent.agentCompany = "Agents & Co"
        agent.agentAuthorizationFormReference = "AAF-2026-17"
        agent.statusReason = "form unsigned"
        agent.permissions = []
        agent.statusChangedAt = ApiKeyRecord.timestamp(1_770_000_500)
        var viewer = Recs_Registry_V1_User()
        viewer.userId = "U3"
        viewer.organizationId = "A1"
        viewer.accessLevel = .viewOnly
        viewer.login = "viewer"
        return [manager, agent, viewer]
    }

    /// What the registry wrote before migration 0009 (`insertUser` at 151e0e7), with the
    /// organization the logins belong to.
    static func writeLegacy(_ database: any Database) async throws {
        try await RegistryRecordUpgrades.writeLegacy(database, before: "0009-registry-own-user-records") { sql in
            for (index, user) in users.enumerated() {
                try sql.execute(
                    "INSERT INTO users (user_id, organization_id, login_key, record, created_at_unix_ms) VALUES ($1, $2, $3, $4, $5)",
                    .text(user.userId), .text(user.organizationId), .text(user.login.lowercased()), .bytes(user.protobufBytes()),
                    .int64(Int64(index)))
            }
        }
    }

    static func reads(_ database: any Database) async throws -> (one: Recs_Registry_V1_User?, all: [Recs_Registry_V1_User]) {
        try await RequestJournal(database: database, service: "registry").read { transaction in
            (try transaction.user("U1"), try transaction.users(of: "A1", afterNumber: 0, limit: 10).map(\.user))
        }
    }

    @Test("Migration 0009: stored login bytes upgrade and read back as the same logins", arguments: TestDatabaseKind.allCases)
    func upgradeReadsTheSame(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            try await RegistryRecordUpgrades.upgrade(test.database, applying: "0009-registry-own-user-records", droppingFrom: "users")
            let read = try await Self.reads(test.database)
            #expect(read.one == Self.users[0])
            #expect(read.all == Self.users)
        }
    }

    @Test("A login stored as the registry's record reads back equal, and a change replaces its grants",
        arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await Self.writeLegacy(test.database)
            try await test.database.migrate(RegistrySchema.migrations)
            var added = Self.users[0]
            added.userId = "U4"
            added.login = "another.manager"
            var changed = added
            changed.permissions = [Self.grant(.certificateManagement, .generatingUnitId("W9"))]
            changed.status = .disabled
            let (inserted, updated, taken) = try await test.database.transaction { [added, changed] sql in
                var transaction = JournalTransaction(sql: sql, requestID: "test", now: Date(timeIntervalSince1970: 1_770_001_000))
                try transaction.insertUser(added)
                let inserted = try transaction.user("U4")
                try transaction.updateUser(changed)
                let updated = try transaction.user("U4")
                let taken = try transaction.loginTaken("ANOTHER.manager")
                sql = transaction.sql
                return (inserted, updated, taken)
            }
            #expect(inserted == added)
            #expect(updated == changed)
            #expect(taken)
        }
    }
}
