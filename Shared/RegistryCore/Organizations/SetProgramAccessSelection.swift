import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §19.3.2, §20 (the "State/Provincial/Voluntary Access Selection screen"): an account holder's
/// Manager or a Supervisor (or the administrator) chooses which program administrators may view the
/// account and look up its certificates. The request replaces the whole selection; an empty list
/// withdraws every grant.
///
/// The selection travels on the organization's record in the registry's feed. Every service keeps
/// it in its principal tables, and a program administrator's logins carry the accounts that
/// selected their organization (``UserPrincipal/accessGrantedBy``), so each service admits them to
/// exactly those accounts within one feed poll of the change.
struct SetProgramAccessSelection {
    let journal: RequestJournal

    static let section = "Operating Rules §19.3.2, §20"

    func handle(
        _ request: Recs_Registry_V1_SetProgramAccessSelectionRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_SetProgramAccessSelectionResponse {
        let organizationID = try RegistryRules.parse(field: "organization_id") { () throws(RuleViolation) in
            try OrganizationID(parsing: request.organizationId)
        }.description
        // Each program administrator once, with the field that first named it.
        var named: [(id: String, field: String)] = []
        for (index, id) in request.programAdministratorOrganizationIds.enumerated() {
            let field = "program_administrator_organization_ids[\(index)]"
            let administrator = try RegistryRules.parse(field: field) { () throws(RuleViolation) in
                try OrganizationID(parsing: id)
            }.description
            if !named.contains(where: { $0.id == administrator }) { named.append((administrator, field)) }
        }
        let selected = named
        // §7.1: choosing who sees the account is assigning access to it, a Supervisor's or the
        // Manager's act (the administrator's for any account).
        try context.authorize(.changeUser(level: .viewOnly), on: AccessTarget(organizationID: organizationID))
        let actor = context.caller.actor
        return try await journal.mutate(
            "SetProgramAccessSelection", request, requestID: request.requestId, actor: actor, clearing: { $0.requestId = "" }
        ) { transaction in
            guard var organization = try transaction.organization(organizationID) else {
                throw ServiceErrors.notFound("organization \(organizationID)", field: "organization_id")
            }
            guard organization.type == .accountHolder else {
                throw Self.notSelectable("\(organizationID) is not an account holder; only account holders' accounts select program administrators", field: "organization_id")
            }
            guard organization.status != .terminated else {
                throw Self.notSelectable("\(organizationID) is terminated; its access selection no longer changes", field: "organization_id")
            }
            for (administrator, field) in selected {
                guard let named = try transaction.organization(administrator) else {
                    throw ServiceErrors.notFound("organization \(administrator)", field: field)
                }
                guard named.type == .programAdministrator else {
                    throw Self.notSelectable("\(administrator) is not a program administrator (Appendix C Table 7)", field: field)
                }
                guard named.status == .active else {
                    throw Self.notSelectable("program administrator \(administrator) is not active", field: field)
                }
            }
            var response = Recs_Registry_V1_SetProgramAccessSelectionResponse()
            // In id order (A2 before A10).
            let selection = selected.map(\.id).sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            if organization.programAccessOrganizationIds == selection {
                response.organization = organization
                return response
            }
            organization.programAccessOrganizationIds = selection
            try transaction.updateOrganization(organization)
            try transaction.appendEvent(action: "SetProgramAccessSelection", actor: actor, .organization(organization))
            response.organization = organization
            return response
        }
    }

    static func notSelectable(_ message: String, field: String) -> RPCError {
        ServiceErrors.status(RuleViolation(.programAccessNotSelectable, message, section: section, field: field))
    }
}
