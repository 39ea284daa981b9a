import Domain
import ProtoMessages
import Storage

/// Who may call a service: the organizations, logins and API keys of the registry, kept by every
/// service in its own database so it authenticates each call itself, with no round trip to the
/// registry (ADR 0006). The registry writes these rows in the transaction that changes the record;
/// the other services write them when they apply the registry's event feed. Both go through
/// ``apply(_:to:)``, so the copies cannot drift.
public enum Principals {
    /// The tables, added to every service's migrations.
    public static func tables(_ t: ServiceSchema.Types) -> [String] {
        [
            """
            CREATE TABLE principal_organizations (
                organization_id TEXT NOT NULL PRIMARY KEY,
                role TEXT NOT NULL,
                status TEXT NOT NULL
            )\(t.strict)
            """,
            // record: the encoded recs.registry.v1.User as the registry published it, until
            // ``recordsMigration(_:)`` replaced it by the columns of ``PrincipalUserRecord``.
            """
            CREATE TABLE principal_users (
                user_id TEXT NOT NULL PRIMARY KEY,
                organization_id TEXT NOT NULL,
                record \(t.blob) NOT NULL
            )\(t.strict)
            """,
            """
            CREATE TABLE principal_keys (
                key_id TEXT NOT NULL PRIMARY KEY,
                user_id TEXT NOT NULL,
                secret_sha256 \(t.blob) NOT NULL CHECK (length(secret_sha256) = 32),
                revoked \(t.int) NOT NULL CHECK (revoked IN (0, 1))
            )\(t.strict)
            """,
        ]
    }

    /// The migration a service appends to its list.
    public static func migration(_ name: String) -> Migration {
        ServiceSchema.migration(name, tables)
    }

    /// §19.3.2, §20: which program administrators each account selected on its access selection,
    /// one row per (account, program administrator). The directory gives each program
    /// administrator's logins the accounts that selected it (``UserPrincipal/accessGrantedBy``).
    /// Added after the first principal tables; nothing could set a selection before, so it starts
    /// empty.
    public static func programAccessTables(_ t: ServiceSchema.Types) -> [String] {
        [
            """
            CREATE TABLE principal_program_access (
                organization_id TEXT NOT NULL,
                program_administrator_id TEXT NOT NULL,
                PRIMARY KEY (organization_id, program_administrator_id)
            )\(t.strict)
            """,
            "CREATE INDEX principal_program_access_by_administrator ON principal_program_access (program_administrator_id, organization_id)",
        ]
    }

    /// The migration adding ``programAccessTables(_:)``, appended to every service's list.
    public static func programAccessMigration(_ name: String) -> Migration {
        ServiceSchema.migration(name, programAccessTables)
    }

    /// ADR 0010: every service keeps its own record of a login (``PrincipalUserRecord``) instead of
    /// the registry's `User` bytes. Adds the columns and the grants table, converts each stored
    /// `record` as a feed event would be mapped, then drops it. Each service appends it to its list
    /// after ``migration(_:)``.
    public static func recordsMigration(_ name: String) -> Migration {
        func statements(_ t: ServiceSchema.Types) -> [String] {
            [
                "ALTER TABLE principal_users ADD COLUMN kind TEXT NOT NULL DEFAULT 'in_organization'",
                "ALTER TABLE principal_users ADD COLUMN access_level \(t.int) NOT NULL DEFAULT 4 CHECK (access_level BETWEEN 1 AND 4)",
                "ALTER TABLE principal_users ADD COLUMN status TEXT NOT NULL DEFAULT 'disabled'",
                """
                CREATE TABLE principal_user_grants (
                    user_id TEXT NOT NULL REFERENCES principal_users (user_id),
                    position \(t.int) NOT NULL CHECK (position >= 0),
                    category TEXT NOT NULL,
                    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('account', 'generating_unit', 'subaccount')),
                    scope_id TEXT NOT NULL,
                    PRIMARY KEY (user_id, position)
                )\(t.strict)
                """,
            ]
        }
        return Migration(
            name: name, overrides: [.sqlite: statements(.sqlite), .postgres: statements(.postgres)],
            transform: { sql in
                try RecordMigration.eachRecord(table: "principal_users", key: "user_id", &sql) { id, bytes, sql in
                    var user = PrincipalUserRecord(registry: try Recs_Registry_V1_User(protobufBytes: bytes))
                    user.userID = id
                    try PrincipalUserRows.save(user, statement: PrincipalUserRows.update, &sql)
                }
                try sql.execute("ALTER TABLE principal_users DROP COLUMN record")
            })
    }

    /// Applies one registry event's record to the tables; other payloads are not about callers.
    /// Returns true when the event changed who may call.
    @discardableResult
    public static func apply(_ payload: Recs_Registry_V1_Event.OneOf_Payload?, to sql: inout SQLTransaction) throws -> Bool {
        switch payload {
        case .organization(let organization):
            try sql.execute(
                """
                INSERT INTO principal_organizations (organization_id, role, status) VALUES ($1, $2, $3)
                ON CONFLICT (organization_id) DO UPDATE SET role = excluded.role, status = excluded.status
                """,
                .text(organization.organizationId), .text(role(organization.type)?.rawValue ?? ""),
                .text(organizationStatus(organization.status)))
            // The event carries the whole selection: it replaces the one before.
            try sql.execute("DELETE FROM principal_program_access WHERE organization_id = $1", .text(organization.organizationId))
            for administrator in Set(organization.programAccessOrganizationIds) {
                try sql.execute(
                    "INSERT INTO principal_program_access (organization_id, program_administrator_id) VALUES ($1, $2)",
                    .text(organization.organizationId), .text(administrator))
            }
            return true
        case .user(let user):
            try PrincipalUserRows.save(PrincipalUserRecord(registry: user), statement: PrincipalUserRows.upsert, &sql)
            return true
        case .apiKey(let key):
            try sql.execute(
                """
                INSERT INTO principal_keys (key_id, user_id, secret_sha256, revoked) VALUES ($1, $2, $3, $4)
                ON CONFLICT (key_id) DO UPDATE SET revoked = excluded.revoked
                """,
                .text(key.keyId), .text(key.userId), .bytes(key.secretSha256), .int64(key.status == .revoked ? 1 : 0))
            return true
        default:
            return false
        }
    }

    static func role(_ type: Recs_Common_V1_OrganizationType) -> OrganizationRole? {
        switch type {
        case .accountHolder: .accountHolder
        case .qualifiedReportingEntity: .reportingEntity
        case .programAdministrator: .programAdministrator
        case .registryAdministrator: .registryAdministrator
        case .unspecified, .unrecognized: nil
        }
    }

    static func organizationStatus(_ status: Recs_Registry_V1_OrganizationStatus) -> String {
        switch status {
        case .active: "active"
        case .inactive: "inactive"
        case .terminated: "terminated"
        case .unspecified, .unrecognized: "unknown"
        }
    }

    /// Unknown levels read as the least power (View Only), never more.
    public static func level(_ level: Recs_Registry_V1_AccessLevel) -> AccessLevel {
        switch level {
        case .manager: .manager
        case .supervisor: .supervisor
        case .maintenance: .maintenance
        case .viewOnly, .unspecified, .unrecognized: .viewOnly
        }
    }

    public static func proto(_ level: AccessLevel) -> Recs_Registry_V1_AccessLevel {
        switch level {
        case .manager: .manager
        case .supervisor: .supervisor
        case .maintenance: .maintenance
        case .viewOnly: .viewOnly
        }
    }

    /// Unknown statuses read as disabled.
    public static func status(_ status: Recs_Registry_V1_UserStatus) -> UserStatus {
        switch status {
        case .active: .active
        case .pendingApproval: .pendingApproval
        case .rejected: .rejected
        case .disabled, .unspecified, .unrecognized: .disabled
        }
    }

    public static func grant(_ grant: Recs_Registry_V1_PermissionGrant) -> PermissionGrant? {
        let category: PermissionCategory
        switch grant.permission {
        case .generationManagement: category = .generationManagement
        case .certificateManagement: category = .certificateManagement
        case .unspecified, .unrecognized: return nil
        }
        switch grant.scope {
        case .generatingUnitId(let unit): return PermissionGrant(category, .generatingUnit(unit))
        case .subaccountId(let subaccount): return PermissionGrant(category, .subaccount(subaccount))
        case nil: return PermissionGrant(category, .account)
        }
    }
}
