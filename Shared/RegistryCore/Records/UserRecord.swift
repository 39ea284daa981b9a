import ProtoMessages
import ServiceKit
import Storage

/// A login as the registry keeps it (§7, ADR 0010): one `users` row of columns, its permission
/// grants in `user_permissions` (login, position). The user use cases work on the API's `User`; the
/// store maps it into the record where it inserts or updates it and makes it again where it reads
/// it (``UserRows``). Kinds, levels, statuses and permissions are the registry's own decisions, so
/// they are stored as its names (an unknown number, which the registry never writes, as
/// `unspecified`).
struct UserRecord: Sendable, Hashable {
    enum Kind: String, Sendable {
        case inOrganization = "in_organization"
        case thirdPartyAgent = "third_party_agent"
        case unspecified
    }

    enum Level: String, Sendable {
        case manager, supervisor, maintenance
        case viewOnly = "view_only"
        case unspecified
    }

    enum Status: String, Sendable {
        case pendingApproval = "pending_approval"
        case active, rejected, disabled, unspecified
    }

    /// A permission granted to the login (§7.1), on one unit or subaccount when scoped.
    struct Grant: Sendable, Hashable {
        enum Permission: String, Sendable {
            case generationManagement = "generation_management"
            case certificateManagement = "certificate_management"
            case unspecified
        }

        enum Scope: Sendable, Hashable {
            case generatingUnit(String)
            case subaccount(String)
        }

        var permission: Permission
        var scope: Scope?
    }

    var id: String
    var organizationID = ""
    var kind = Kind.unspecified
    var level = Level.unspecified
    var status = Status.unspecified
    var personName = ""
    var email = ""
    var login = ""
    var agentCompany = ""
    var grants: [Grant] = []
    /// Whole seconds, as the API carries them; nil when not set.
    var createdAtUnixSeconds: Int64?
    var statusChangedAtUnixSeconds: Int64?
    var agentAuthorizationFormReference = ""
    var statusReason = ""
}

// MARK: The edge: the API's `User`

extension UserRecord {
    static let kinds: [(Kind, Recs_Registry_V1_UserKind)] = [(.inOrganization, .inOrganization), (.thirdPartyAgent, .thirdPartyAgent)]
    static let levels: [(Level, Recs_Registry_V1_AccessLevel)] = [
        (.manager, .manager), (.supervisor, .supervisor), (.maintenance, .maintenance), (.viewOnly, .viewOnly),
    ]
    static let statuses: [(Status, Recs_Registry_V1_UserStatus)] = [
        (.pendingApproval, .pendingApproval), (.active, .active), (.rejected, .rejected), (.disabled, .disabled),
    ]
    static let permissions: [(Grant.Permission, Recs_Registry_V1_Permission)] = [
        (.generationManagement, .generationManagement), (.certificateManagement, .certificateManagement),
    ]

    /// The record's value for a wire value, by one of the tables above.
    static func stored<Stored, Wire: Equatable>(_ wire: Wire, _ table: [(Stored, Wire)], otherwise: Stored) -> Stored {
        table.first { $0.1 == wire }?.0 ?? otherwise
    }

    /// The wire value for a record's value, by one of the tables above.
    static func wire<Stored: Equatable, Wire>(_ stored: Stored, _ table: [(Stored, Wire)], otherwise: Wire) -> Wire {
        table.first { $0.0 == stored }?.1 ?? otherwise
    }

    init(wire user: Recs_Registry_V1_User) {
        id = user.userId
        organizationID = user.organizationId
        kind = Self.stored(user.kind, Self.kinds, otherwise: .unspecified)
        level = Self.stored(user.accessLevel, Self.levels, otherwise: .unspecified)
        status = Self.stored(user.status, Self.statuses, otherwise: .unspecified)
        personName = user.personName
        email = user.email
        login = user.login
        agentCompany = user.agentCompany
        grants = user.permissions.map { grant in
            let scope: Grant.Scope? =
                switch grant.scope {
                case .generatingUnitId(let id)?: .generatingUnit(id)
                case .subaccountId(let id)?: .subaccount(id)
                case nil: nil
                }
            return Grant(permission: Self.stored(grant.permission, Self.permissions, otherwise: .unspecified), scope: scope)
        }
        createdAtUnixSeconds = user.createdAt?.unixSeconds
        statusChangedAtUnixSeconds = user.statusChangedAt?.unixSeconds
        agentAuthorizationFormReference = user.agentAuthorizationFormReference
        statusReason = user.statusReason
    }

    var wire: Recs_Registry_V1_User {
        var user = Recs_Registry_V1_User()
        user.userId = id
        user.organizationId = organizationID
        user.kind = Self.wire(kind, Self.kinds, otherwise: .unspecified)
        user.accessLevel = Self.wire(level, Self.levels, otherwise: .unspecified)
        user.status = Self.wire(status, Self.statuses, otherwise: .unspecified)
        user.personName = personName
        user.email = email
        user.login = login
        user.agentCompany = agentCompany
        user.permissions = grants.map { grant in
            var permission = Recs_Registry_V1_PermissionGrant()
            permission.permission = Self.wire(grant.permission, Self.permissions, otherwise: .unspecified)
            switch grant.scope {
            case .generatingUnit(let id)?: permission.scope = .generatingUnitId(id)
            case .subaccount(let id)?: permission.scope = .subaccountId(id)
            case nil: permission.scope = nil
            }
            return permission
        }
        user.createdAt = createdAtUnixSeconds.map(ApiKeyRecord.timestamp)
        user.statusChangedAt = statusChangedAtUnixSeconds.map(ApiKeyRecord.timestamp)
        user.agentAuthorizationFormReference = agentAuthorizationFormReference
        user.statusReason = statusReason
        return user
    }
}

/// How a ``UserRecord`` is kept: every field a column of `users` (NULL instants when not set) beside
/// `login_key` and `created_at_unix_ms`, which the store writes when the login is created; grants in
/// `user_permissions`, the scope as its kind (`generating_unit`, `subaccount`, empty for none) and id.
enum UserRows {
    static func columns(_ user: UserRecord) -> [(name: String, value: SQLValue)] {
        [
            ("user_id", .text(user.id)),
            ("organization_id", .text(user.organizationID)),
            ("kind", .text(user.kind.rawValue)),
            ("access_level", .text(user.level.rawValue)),
            ("status", .text(user.status.rawValue)),
            ("person_name", .text(user.personName)),
            ("email", .text(user.email)),
            ("login", .text(user.login)),
            ("agent_company", .text(user.agentCompany)),
            ("created_at_unix_seconds", .optional(user.createdAtUnixSeconds)),
            ("status_changed_at_unix_seconds", .optional(user.statusChangedAtUnixSeconds)),
            ("agent_authorization_form_reference", .text(user.agentAuthorizationFormReference)),
            ("status_reason", .text(user.statusReason)),
        ]
    }

    static let names = columns(UserRecord(id: "")).map(\.name)
    static let selectList = names.joined(separator: ", ")
    static let insert = RecordStatements.insert("users", names + ["login_key", "created_at_unix_ms"])
    static let update = RecordStatements.update("users", names)

    static func saveGrants(_ user: UserRecord, _ sql: inout SQLTransaction) throws {
        try sql.execute("DELETE FROM user_permissions WHERE user_id = $1", .text(user.id))
        for (position, grant) in user.grants.enumerated() {
            let scope: (kind: String, id: String) =
                switch grant.scope {
                case .generatingUnit(let id)?: ("generating_unit", id)
                case .subaccount(let id)?: ("subaccount", id)
                case nil: ("", "")
                }
            try sql.execute(
                "INSERT INTO user_permissions (user_id, position, permission, scope_kind, scope_id) VALUES ($1, $2, $3, $4, $5)",
                .text(user.id), .int64(Int64(position)), .text(grant.permission.rawValue), .text(scope.kind), .text(scope.id))
        }
    }

    /// The login of a row selected with ``selectList``, with its grants.
    static func load(_ row: SQLRow, _ sql: inout SQLTransaction) throws -> UserRecord {
        var user = UserRecord(id: try row.string("user_id"))
        user.organizationID = try row.string("organization_id")
        user.kind = UserRecord.Kind(rawValue: try row.string("kind")) ?? .unspecified
        user.level = UserRecord.Level(rawValue: try row.string("access_level")) ?? .unspecified
        user.status = UserRecord.Status(rawValue: try row.string("status")) ?? .unspecified
        user.personName = try row.string("person_name")
        user.email = try row.string("email")
        user.login = try row.string("login")
        user.agentCompany = try row.string("agent_company")
        user.createdAtUnixSeconds = try row.optionalInt64("created_at_unix_seconds")
        user.statusChangedAtUnixSeconds = try row.optionalInt64("status_changed_at_unix_seconds")
        user.agentAuthorizationFormReference = try row.string("agent_authorization_form_reference")
        user.statusReason = try row.string("status_reason")
        user.grants = try sql.query(
            "SELECT permission, scope_kind, scope_id FROM user_permissions WHERE user_id = $1 ORDER BY position", .text(user.id)
        ).map { row in
            let id = try row.string("scope_id")
            let scope: UserRecord.Grant.Scope? =
                switch try row.string("scope_kind") {
                case "generating_unit": .generatingUnit(id)
                case "subaccount": .subaccount(id)
                default: nil
                }
            return UserRecord.Grant(permission: UserRecord.Grant.Permission(rawValue: try row.string("permission")) ?? .unspecified, scope: scope)
        }
        return user
    }

    /// What migration 0009 adds (the ids and the login key were there from the start).
    static func addColumns(_ t: ServiceSchema.Types) -> [String] {
        ["kind", "access_level", "status"].map { "ALTER TABLE users ADD COLUMN \($0) TEXT NOT NULL DEFAULT 'unspecified'" }
            + ["person_name", "email", "login", "agent_company", "agent_authorization_form_reference", "status_reason"].map {
                "ALTER TABLE users ADD COLUMN \($0) TEXT NOT NULL DEFAULT ''"
            }
            + [
                // NULL when not set.
                "ALTER TABLE users ADD COLUMN created_at_unix_seconds \(t.int)",
                "ALTER TABLE users ADD COLUMN status_changed_at_unix_seconds \(t.int)",
                """
                CREATE TABLE user_permissions (
                    user_id TEXT NOT NULL REFERENCES users (user_id),
                    position \(t.int) NOT NULL CHECK (position >= 0),
                    permission TEXT NOT NULL,
                    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('', 'generating_unit', 'subaccount')),
                    scope_id TEXT NOT NULL,
                    PRIMARY KEY (user_id, position)
                )\(t.strict)
                """,
            ]
    }
}

/// Migration 0009's transform (ADR 0010): until then the registry kept each login's `User` bytes in
/// `record`. Each row's bytes are read as they were written and mapped as the store maps a login it
/// creates; then `record` goes. It writes with ``UserRows`` because its columns are exactly those
/// 0009 made; a later migration that changes them must first give this transform a copy.
enum LegacyUserRecords {
    @Sendable static func convert(_ sql: inout SQLTransaction) throws {
        try RecordMigration.eachRecord(table: "users", key: "user_id", &sql) { id, bytes, sql in
            var user = UserRecord(wire: try Recs_Registry_V1_User(protobufBytes: bytes))
            user.id = id
            try sql.execute(UserRows.update, binds: UserRows.columns(user).map(\.value))
            try UserRows.saveGrants(user, &sql)
        }
        try sql.execute("ALTER TABLE users DROP COLUMN record")
    }
}
