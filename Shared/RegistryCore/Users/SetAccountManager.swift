import Domain
import ProtoMessages
import RPC
import ServiceKit

/// §7.1 ("There may be only one Account Manager"): the administrator names an active
/// in-organization login of the account its Manager; the previous Manager becomes a Supervisor.
struct SetAccountManager {
    let journal: RequestJournal

    func handle(
        _ request: Recs_Registry_V1_SetAccountManagerRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_SetAccountManagerResponse {
        let organizationID = try RegistryRules.parse(field: "organization_id") { () throws(RuleViolation) in
            try OrganizationID(parsing: request.organizationId)
        }.description
        try UserRules.checkID(request.userId, field: "user_id")
        let actor = context.caller.actor
        return try await journal.mutate("SetAccountManager", request, requestID: request.requestId, actor: context.caller.actor, clearing: { $0.requestId = "" }) {
            transaction in
            guard var organization = try transaction.organization(organizationID) else {
                throw ServiceErrors.notFound("organization \(organizationID)", field: "organization_id")
            }
            var manager = try transaction.existingUser(request.userId)
            guard manager.organizationId == organizationID, manager.kind == .inOrganization, manager.status == .active else {
                throw ServiceErrors.status(
                    RuleViolation(
                        .userTransitionNotAllowed,
                        "the Account Manager is an active in-organization login of \(organizationID); \(manager.userId) is not",
                        section: "Operating Rules §7.1, §7.2.2"), field: "user_id")
            }
            var response = Recs_Registry_V1_SetAccountManagerResponse()
            if organization.managerUserId == manager.userId {
                response.organization = organization
                return response
            }
            if !organization.managerUserId.isEmpty, var previous = try transaction.user(organization.managerUserId) {
                previous.accessLevel = .supervisor
                try transaction.saveUser(previous, action: "SetAccountManager", actor: actor)
            }
            manager.accessLevel = .manager
            manager.permissions = []
            try transaction.saveUser(manager, action: "SetAccountManager", actor: actor)
            organization.managerUserId = manager.userId
            try transaction.updateOrganization(organization)
            try transaction.appendEvent(action: "SetAccountManager", actor: actor, .organization(organization))
            response.organization = organization
            return response
        }
    }
}
