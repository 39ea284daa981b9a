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
            // record: the encoded recs.registry.v1.User as the registry published it.
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
            try sql.execute(
                """
                INSERT INTO principal_users (user_id, organization_id, record) VALUES ($1, $2, $3)
                ON CONFLICT (user_id) DO UPDATE SET organization_id = excluded.organization_id, record = excluded.record
                """,
                .text(user.userId), .text(user.organizationId), .bytes(user.protobufBytes()))
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

    /// A published login as the authorization policy sees it, with the accounts that selected its
    /// organization for program access (§19.3.2; empty unless it is a program administrator).
    public static func principal(_ user: Recs_Registry_V1_User, role: OrganizationRole, accessGrantedBy: Set<String> = []) -> UserPrincipal {
        UserPrincipal(
            userID: user.userId, organizationID: user.organizationId, organizationRole: role,
            kind: user.kind == .thirdPartyAgent ? .agent : .inOrganization, level: level(user.accessLevel),
            status: status(user.status), grants: user.permissions.compactMap(grant),
            accessGrantedBy: role == .programAdministrator ? accessGrantedBy : [])
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
