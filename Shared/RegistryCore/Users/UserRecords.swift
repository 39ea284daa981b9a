import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit
import Storage

/// The registry's rows for logins and the checks the user use cases share (Operating Rules §7).
extension JournalTransaction {
    mutating func updateUser(_ user: Recs_Registry_V1_User) throws {
        let record = UserRecord(wire: user)
        try sql.execute(UserRows.update, binds: UserRows.columns(record).map(\.value))
        try UserRows.saveGrants(record, &sql)
    }

    /// Logins in id order after number `afterNumber`, at most `limit`, with their numbers; of one
    /// organization, or of all when nil.
    mutating func users(of organizationID: String?, afterNumber: Int64, limit: Int) throws -> [(number: Int64, user: Recs_Registry_V1_User)] {
        var conditions = ["CAST(substr(user_id, 2) AS BIGINT) > $1"]
        var binds: [SQLValue] = [.int64(afterNumber)]
        if let organizationID {
            binds.append(.text(organizationID))
            conditions.append("organization_id = $\(binds.count)")
        }
        binds.append(.int64(Int64(limit)))
        let rows = try sql.query(
            """
            SELECT \(UserRows.selectList) FROM users WHERE \(conditions.joined(separator: " AND "))
            ORDER BY CAST(substr(user_id, 2) AS BIGINT) LIMIT $\(binds.count)
            """, binds: binds)
        return try rows.map { row in
            let user = try UserRows.load(row, &sql).wire
            return (Int64(user.userId.dropFirst()) ?? 0, user)
        }
    }

    mutating func updateOrganization(_ organization: Recs_Registry_V1_Organization) throws {
        var stored = organization
        stored.subaccounts = []
        try sql.execute(
            "UPDATE organizations SET record = $2, status = $3 WHERE organization_id = $1", .text(organization.organizationId),
            .bytes(stored.protobufBytes()), .text(RegistryCodes.name(organization.status)))
    }

    /// The login a request names (its id already checked, ``UserRules/checkID(_:field:)``), or
    /// NOT_FOUND naming the field.
    mutating func existingUser(_ userID: String, field: String = "user_id") throws -> Recs_Registry_V1_User {
        guard let user = try user(userID) else { throw ServiceErrors.notFound("user \(userID)", field: field) }
        return user
    }

    /// Writes the changed login and its event (every service learns its callers from the feed).
    mutating func saveUser(_ user: Recs_Registry_V1_User, action: String, actor: Recs_Common_V1_Actor) throws {
        try updateUser(user)
        try appendEvent(action: action, actor: actor, .user(user))
    }

    /// Each grant names a unit or subaccount of the organization itself (§7.3: the account's own).
    mutating func checkScopes(_ grants: [Recs_Registry_V1_PermissionGrant], organizationID: String) throws {
        for (index, grant) in grants.enumerated() {
            let field = "permissions[\(index)]"
            switch grant.scope {
            case .generatingUnitId(let unitID):
                guard let unit = try generatingUnit(unitID), unit.organizationId == organizationID else {
                    throw ServiceErrors.status(
                        RuleViolation(
                            .permissionOutsideAccount, "generating unit \(unitID) is not a unit of \(organizationID)",
                            section: "Operating Rules §7.3"), field: "\(field).generating_unit_id")
                }
            case .subaccountId(let subaccountID):
                guard let subaccount = try subaccount(subaccountID), subaccount.organizationId == organizationID else {
                    throw ServiceErrors.status(
                        RuleViolation(
                            .permissionOutsideAccount, "subaccount \(subaccountID) is not a subaccount of \(organizationID)",
                            section: "Operating Rules §7.3"), field: "\(field).subaccount_id")
                }
            case nil:
                break
            }
        }
    }
}

/// Checks on the fields of the user requests, before any work.
enum UserRules {
    /// Our limit on a reason or a form reference.
    static let reasonCharactersMax = 500

    static func checkID(_ userID: String, field: String) throws {
        guard userID.utf8.count >= 2, userID.utf8.count <= ApiKeyAccess.idCharactersMax, userID.first == "U",
            userID.utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) })
        else { throw ServiceErrors.invalid(field, userID.isEmpty ? "is required" : "\"\(userID)\" is not a user id (U and digits)") }
    }

    /// §7.1: a login is given Supervisor, Maintenance or View Only; the one Manager is named by
    /// the administrator (SetAccountManager).
    static func assignableLevel(_ level: Recs_Registry_V1_AccessLevel, field: String) throws -> AccessLevel {
        switch level {
        case .supervisor: return .supervisor
        case .maintenance: return .maintenance
        case .viewOnly: return .viewOnly
        case .manager:
            throw ServiceErrors.status(
                RuleViolation(
                    .accessNotAssignable, "there is one Account Manager per account; the administrator names it with SetAccountManager",
                    section: "Operating Rules §7.1"), field: field)
        case .unspecified, .unrecognized:
            throw ServiceErrors.invalid(field, "give SUPERVISOR, MAINTENANCE or VIEW_ONLY (Operating Rules §7.1)")
        }
    }

    /// §7.1: the optional permissions are given to Account Maintenance logins (Supervisors hold
    /// every permission of the account; View Only logins change nothing); each names its category
    /// and, optionally, one unit or subaccount.
    static func checkGrants(_ grants: [Recs_Registry_V1_PermissionGrant], level: AccessLevel) throws {
        guard grants.count <= 1_000 else { throw ServiceErrors.invalid("permissions", "at most 1000 grants") }
        if !grants.isEmpty, level != .maintenance {
            throw ServiceErrors.status(
                RuleViolation(
                    .accessNotAssignable,
                    "optional permissions are given to Account Maintenance logins; a Supervisor holds them all and a View Only login changes nothing",
                    section: "Operating Rules §7.1"), field: "permissions")
        }
        for (index, grant) in grants.enumerated() where Principals.grant(grant) == nil {
            throw ServiceErrors.invalid("permissions[\(index)].permission", "give GENERATION_MANAGEMENT or CERTIFICATE_MANAGEMENT (§7.1)")
        }
    }

    static func checkText(_ text: String, field: String, required: Bool, section: String) throws {
        if required, text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ServiceErrors.invalid(field, "is required (\(section))")
        }
        if text.count > reasonCharactersMax {
            throw ServiceErrors.invalid(field, "has more than \(reasonCharactersMax) characters")
        }
    }

    /// The login's status after `change` (the domain's ``UserLifecycle``), or its refusal.
    static func apply(_ change: UserLifecycle.Change, to user: inout Recs_Registry_V1_User, at timestamp: Recs_Common_V1_Timestamp) throws {
        let kind = UserRules.kind(user.kind)
        let next: UserStatus
        do {
            next = try UserLifecycle.apply(
                change, to: Principals.status(user.status), kind: kind, approvedBefore: !user.agentAuthorizationFormReference.isEmpty)
        } catch {
            throw ServiceErrors.status(error, field: "user_id")
        }
        user.status = proto(next)
        user.statusChangedAt = timestamp
    }

    static func kind(_ kind: Recs_Registry_V1_UserKind) -> UserKind {
        kind == .thirdPartyAgent ? .agent : .inOrganization
    }

    static func proto(_ status: UserStatus) -> Recs_Registry_V1_UserStatus {
        switch status {
        case .active: .active
        case .pendingApproval: .pendingApproval
        case .rejected: .rejected
        case .disabled: .disabled
        }
    }

    /// Whether the caller is the registry administrator (its acts are not limited to an account).
    static func isAdministrator(_ caller: Caller) -> Bool {
        caller.user?.isAdministrator == true
    }
}
