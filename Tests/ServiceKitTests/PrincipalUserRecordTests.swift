import Domain
import ProtoMessages
@testable import ServiceKit
import ServiceTestSupport
import Storage
import StorageTestSupport
import Testing

/// ADR 0010: every service keeps its own record of a login instead of the registry's `User` bytes.
@Suite("principal user records")
struct PrincipalUserRecordTests {
    /// A Maintenance agent of A2 with a grant on each kind of scope and one of an unknown permission.
    static func user() -> Recs_Registry_V1_User {
        var user = Recs_Registry_V1_User()
        user.userId = "U5"
        user.organizationId = "A2"
        user.kind = .thirdPartyAgent
        user.accessLevel = .maintenance
        user.status = .active
        user.personName = "Casey"
        user.login = "casey"
        var account = Recs_Registry_V1_PermissionGrant()
        account.permission = .generationManagement
        var unit = Recs_Registry_V1_PermissionGrant()
        unit.permission = .generationManagement
        unit.scope = .generatingUnitId("W1")
        var subaccount = Recs_Registry_V1_PermissionGrant()
        subaccount.permission = .certificateManagement
        subaccount.scope = .subaccountId("1234ABCD-55ZZ")
        var unknown = Recs_Registry_V1_PermissionGrant()
        unknown.permission = .unrecognized(9)
        user.permissions = [account, unit, unknown, subaccount]
        return user
    }

    static let expected = UserPrincipal(
        userID: "U5", organizationID: "A2", organizationRole: .accountHolder, kind: .agent, level: .maintenance, status: .active,
        grants: [
            PermissionGrant(.generationManagement), PermissionGrant(.generationManagement, .generatingUnit("W1")),
            PermissionGrant(.certificateManagement, .subaccount("1234ABCD-55ZZ")),
        ])

    static let base = [Principals.migration("p-0001")]
    /// Every principal migration, in the services' order: `Principals.apply` writes the program-access
    /// selections of an organization too.
    static let all = base + [Principals.recordsMigration("p-0002"), Principals.programAccessMigration("p-0003")]

    /// The caller the directory authenticates for `key`.
    static func authenticated(_ database: any Database, _ key: ApiKeySecret) async throws -> UserPrincipal? {
        let directory = PrincipalDirectory()
        try await directory.refresh(from: database)
        return directory.user(presenting: key)
    }

    static func insertOrganizationAndKey(_ key: ApiKeySecret, _ sql: inout SQLTransaction) throws {
        try sql.execute("INSERT INTO principal_organizations (organization_id, role, status) VALUES ('A2', 'account_holder', 'active')")
        try sql.execute(
            "INSERT INTO principal_keys (key_id, user_id, secret_sha256, revoked) VALUES ($1, 'U5', $2, 0)", .text(key.keyID),
            .bytes(key.secretSHA256))
    }

    @Test("A login from the feed is kept as columns and authenticates as the policy always read it",
        arguments: TestDatabaseKind.allCases)
    func roundTrip(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await test.database.migrate(Self.all)
            let key = ApiKeySecret.generate(keyID: "K1")
            let stored = try await test.database.transaction { sql in
                try Self.insertOrganizationAndKey(key, &sql)
                try Principals.apply(.user(Self.user()), to: &sql)
                return try PrincipalUserRows.all(&sql)
            }
            #expect(stored == ["U5": PrincipalUserRecord(registry: Self.user())])
            #expect(try await Self.authenticated(test.database, key) == Self.expected)
        }
    }

    @Test("The records migration converts a login stored as the registry's bytes; it authenticates the same",
        arguments: TestDatabaseKind.allCases)
    func upgrade(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { test in
            try await test.database.migrate(Self.base)
            let key = ApiKeySecret.generate(keyID: "K1")
            try await test.database.transaction { sql in
                try Self.insertOrganizationAndKey(key, &sql)
                // As `Principals.apply` wrote a login before the records migration.
                try sql.execute(
                    "INSERT INTO principal_users (user_id, organization_id, record) VALUES ('U5', 'A2', $1)", .bytes(Self.user().protobufBytes()))
            }
            #expect(try await test.database.migrate(Self.all) == ["p-0002", "p-0003"])
            #expect(try await Self.authenticated(test.database, key) == Self.expected)
            await #expect(throws: StorageError.self) {
                try await test.database.transaction { sql in _ = try sql.query("SELECT record FROM principal_users") }
            }
        }
    }
}
