import Domain
import ProtoMessages
import Storage

/// A login as every service keeps it to authenticate calls (ADR 0006, ADR 0010): the registry's
/// `User` reduced on arrival to what authorization reads, in the domain's terms. The organization's
/// role is kept apart (`principal_organizations`) and joined when a call is authenticated.
public struct PrincipalUserRecord: Sendable, Hashable {
    public var userID: String
    public var organizationID: String
    public var kind: UserKind
    public var level: AccessLevel
    public var status: UserStatus
    public var grants: [PermissionGrant]

    /// The registry's login mapped as the policy always read it: unknown levels as View Only,
    /// unknown statuses as disabled, grants of an unknown permission left out.
    public init(registry user: Recs_Registry_V1_User) {
        userID = user.userId
        organizationID = user.organizationId
        kind = user.kind == .thirdPartyAgent ? .agent : .inOrganization
        level = Principals.level(user.accessLevel)
        status = Principals.status(user.status)
        grants = user.permissions.compactMap(Principals.grant)
    }

    /// The login as the policy sees it, with the accounts that selected its organization for
    /// program access (§19.3.2; kept only for a program administrator's logins).
    public func principal(role: OrganizationRole, accessGrantedBy: Set<String> = []) -> UserPrincipal {
        UserPrincipal(
            userID: userID, organizationID: organizationID, organizationRole: role, kind: kind, level: level, status: status,
            grants: grants, accessGrantedBy: role == .programAdministrator ? accessGrantedBy : [])
    }
}

/// `principal_users` and its grants in `principal_user_grants`, every field a column.
enum PrincipalUserRows {
    static let upsert = RecordStatements.upsert("principal_users", ["user_id", "organization_id", "kind", "access_level", "status"])
    static let update = RecordStatements.update("principal_users", ["user_id", "organization_id", "kind", "access_level", "status"])

    static func values(_ user: PrincipalUserRecord) -> [SQLValue] {
        [.text(user.userID), .text(user.organizationID), .text(user.kind.rawValue), .int64(Int64(user.level.rawValue)),
            .text(user.status.rawValue)]
    }

    static func save(_ user: PrincipalUserRecord, statement: String, _ sql: inout SQLTransaction) throws {
        try sql.execute(statement, binds: values(user))
        try sql.execute("DELETE FROM principal_user_grants WHERE user_id = $1", .text(user.userID))
        for (position, grant) in user.grants.enumerated() {
            let scope: (kind: String, id: String)
            switch grant.scope {
            case .account: scope = ("account", "")
            case .generatingUnit(let unit): scope = ("generating_unit", unit)
            case .subaccount(let subaccount): scope = ("subaccount", subaccount)
            }
            try sql.execute(
                "INSERT INTO principal_user_grants (user_id, position, category, scope_kind, scope_id) VALUES ($1, $2, $3, $4, $5)",
                .text(user.userID), .int64(Int64(position)), .text(grant.category.rawValue), .text(scope.kind), .text(scope.id))
        }
    }

    /// Every login with its grants, by user id (what ``PrincipalDirectory`` holds).
    static func all(_ sql: inout SQLTransaction) throws -> [String: PrincipalUserRecord] {
        var grants: [String: [PermissionGrant]] = [:]
        for row in try sql.query("SELECT user_id, category, scope_kind, scope_id FROM principal_user_grants ORDER BY user_id, position") {
            guard let category = PermissionCategory(rawValue: try row.string("category")) else { continue }
            let id = try row.string("scope_id")
            let scope: PermissionGrant.Scope
            switch try row.string("scope_kind") {
            case "generating_unit": scope = .generatingUnit(id)
            case "subaccount": scope = .subaccount(id)
            default: scope = .account
            }
            grants[try row.string("user_id"), default: []].append(PermissionGrant(category, scope))
        }
        var users: [String: PrincipalUserRecord] = [:]
        for row in try sql.query("SELECT user_id, organization_id, kind, access_level, status FROM principal_users") {
            var user = PrincipalUserRecord(registry: Recs_Registry_V1_User())
            user.userID = try row.string("user_id")
            user.organizationID = try row.string("organization_id")
            user.kind = UserKind(rawValue: try row.string("kind")) ?? .inOrganization
            user.level = AccessLevel(rawValue: Int(try row.int64("access_level"))) ?? .viewOnly
            user.status = UserStatus(rawValue: try row.string("status")) ?? .disabled
            user.grants = grants[user.userID] ?? []
            users[user.userID] = user
        }
        return users
    }
}
