import Domain
import ProtoMessages
import RPC
import ServiceKit

/// §7.2.1, §7.2.2: the account disables one of its logins at any time (the Manager any, a
/// Supervisor those below it, §7.1); the administrator any (§24.4). The Manager itself is replaced
/// (SetAccountManager), not disabled by its own account. Every service refuses the login's keys as
/// soon as the event reached it.
struct DisableUser {
    let journal: RequestJournal

    func handle(_ request: Recs_Registry_V1_DisableUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_DisableUserResponse {
        try UserRules.checkID(request.userId, field: "user_id")
        try UserRules.checkText(request.reason, field: "reason", required: false, section: "Operating Rules §7.2")
        let actor = context.caller.actor
        let administrator = UserRules.isAdministrator(context.caller)
        return try await journal.mutate("DisableUser", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            var user = try transaction.existingUser(request.userId)
            let level = Principals.level(user.accessLevel)
            try context.authorize(.changeUser(level: level), on: AccessTarget(organizationID: user.organizationId))
            if level == .manager, !administrator {
                throw ServiceErrors.status(
                    RuleViolation(
                        .userTransitionNotAllowed,
                        "\(user.userId) is the Account Manager: the administrator names another Manager (SetAccountManager) or disables it",
                        section: "Operating Rules §7.1"), field: "user_id")
            }
            try UserRules.apply(.disable, to: &user, at: transaction.timestamp)
            user.statusReason = request.reason
            try transaction.saveUser(user, action: "DisableUser", actor: actor)
            var response = Recs_Registry_V1_DisableUserResponse()
            response.user = user
            return response
        }
    }
}
