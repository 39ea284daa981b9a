import Domain
import ProtoMessages
import RPC
import ServiceKit

/// §7.2.2: an in-organization login, approved at once; §7.2.1: a third-party agent's login, which
/// acts only once the administrator approved it. The Manager and Supervisors create the logins of
/// their account (§7.1, §7.2), with Supervisor, Maintenance or View Only access and, for
/// Maintenance, optional permissions scoped to the account, a unit or a subaccount (§7, §7.3).
struct CreateUser {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_CreateUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_CreateUserResponse {
        let organizationID = try RegistryRules.parse(field: "organization_id") { () throws(RuleViolation) in
            try OrganizationID(parsing: request.organizationId)
        }.description
        let kind: UserKind
        switch request.kind {
        case .inOrganization: kind = .inOrganization
        case .thirdPartyAgent: kind = .agent
        case .unspecified, .unrecognized:
            throw ServiceErrors.invalid("kind", "give IN_ORGANIZATION or THIRD_PARTY_AGENT (Operating Rules §7.2)")
        }
        let level = try UserRules.assignableLevel(request.accessLevel, field: "access_level")
        try UserRules.checkGrants(request.permissions, level: level)
        try RegistryRules.checkName(request.personName, field: "person_name", section: "Operating Rules §7.2")
        try RegistryRules.checkLogin(request.login, field: "login")
        try UserRules.checkText(request.email, field: "email", required: false, section: "Operating Rules §7.2")
        switch kind {
        case .agent:
            try UserRules.checkText(request.agentCompany, field: "agent_company", required: true, section: "Operating Rules §7.2.1")
        case .inOrganization:
            guard request.agentCompany.isEmpty else {
                throw ServiceErrors.invalid("agent_company", "is for third-party agents only (Operating Rules §7.2.1)")
            }
        }
        try context.authorize(.createUser(level: level), on: AccessTarget(organizationID: organizationID))
        let actor = context.caller.actor
        return try await journal.mutate("CreateUser", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            guard let organization = try transaction.organization(organizationID) else {
                throw ServiceErrors.notFound("organization \(organizationID)", field: "organization_id")
            }
            guard organization.status == .active else {
                throw ServiceErrors.failedPrecondition(
                    "organization_id: \(organizationID) is not active; its account takes no new logins (Operating Rules §7)",
                    reason: "ORGANIZATION_NOT_ACTIVE")
            }
            if try transaction.loginTaken(request.login) {
                throw ServiceErrors.status(
                    .alreadyExists, "login: login \"\(request.login)\" is taken (Operating Rules §7)", reason: "LOGIN_TAKEN")
            }
            try transaction.checkScopes(request.permissions, organizationID: organizationID)
            var user = Recs_Registry_V1_User()
            user.userId = "U\(try transaction.nextNumber("user"))"
            user.organizationId = organizationID
            user.kind = request.kind
            user.accessLevel = Principals.proto(level)
            user.status = UserRules.proto(UserLifecycle.initialStatus(kind))
            user.personName = request.personName
            user.email = request.email
            user.login = request.login
            user.agentCompany = request.agentCompany
            user.permissions = request.permissions
            user.createdAt = transaction.timestamp
            user.statusChangedAt = transaction.timestamp
            try transaction.insertUser(user)
            try transaction.appendEvent(action: "CreateUser", actor: actor, .user(user))
            var response = Recs_Registry_V1_CreateUserResponse()
            response.user = user
            return response
        }
    }
}
