import Domain
import ProtoMessages
import RPC
import ServiceKit

/// §7.1, §7.3: changes a login's access level and replaces its optional permissions. The Manager
/// changes any login of its account; a Supervisor only lower levels, and makes nobody a Supervisor
/// (§7.1); the Manager's own access changes only by naming another Manager (SetAccountManager).
struct SetUserAccess {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_SetUserAccessRequest, context: ServerContext) async throws -> Recs_Registry_V1_SetUserAccessResponse {
        try UserRules.checkID(request.userId, field: "user_id")
        let level = try UserRules.assignableLevel(request.accessLevel, field: "access_level")
        try UserRules.checkGrants(request.permissions, level: level)
        let actor = context.caller.actor
        return try await journal.mutate("SetUserAccess", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            var user = try transaction.existingUser(request.userId)
            let current = Principals.level(user.accessLevel)
            // The higher of the two levels decides: a Supervisor neither changes a Supervisor nor makes one.
            let decisive = current.atLeast(level) ? current : level
            try context.authorize(.changeUser(level: decisive), on: AccessTarget(organizationID: user.organizationId))
            guard current != .manager else {
                throw ServiceErrors.status(
                    RuleViolation(
                        .userTransitionNotAllowed,
                        "\(user.userId) is the Account Manager; the administrator names another Manager (SetAccountManager) instead",
                        section: "Operating Rules §7.1"), field: "user_id")
            }
            guard user.status != .rejected else {
                throw ServiceErrors.status(
                    RuleViolation(.userTransitionNotAllowed, "the login was rejected; create a new one", section: "Operating Rules §7.2.1"),
                    field: "user_id")
            }
            try transaction.checkScopes(request.permissions, organizationID: user.organizationId)
            user.accessLevel = Principals.proto(level)
            user.permissions = request.permissions
            try transaction.saveUser(user, action: "SetUserAccess", actor: actor)
            var response = Recs_Registry_V1_SetUserAccessResponse()
            response.user = user
            return response
        }
    }
}
