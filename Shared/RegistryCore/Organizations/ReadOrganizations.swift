import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// GetOrganization and ListOrganizations: an organization with its subaccounts, for whoever may
/// view its account (its own members, a program administrator it granted access, the administrator).
struct ReadOrganizations {
    let journal: RequestJournal
    let pageSizeDefault: Int
    let pageSizeMax: Int

    func get(
        _ request: Recs_Registry_V1_GetOrganizationRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_GetOrganizationResponse {
        let organizationID = try RegistryRules.parse(field: "organization_id") { () throws(RuleViolation) in
            try OrganizationID(parsing: request.organizationId)
        }.description
        return try await journal.read { transaction in
            guard let organization = try transaction.organization(organizationID) else {
                throw RegistryErrors.notFound("organization \(organizationID)", field: "organization_id")
            }
            try context.authorize(
                .viewAccount,
                on: AccessTarget(organizationID: organizationID, programAdministrators: Set(organization.programAccessOrganizationIds)))
            var response = Recs_Registry_V1_GetOrganizationResponse()
            response.organization = organization
            return response
        }
    }

    func list(
        _ request: Recs_Registry_V1_ListOrganizationsRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListOrganizationsResponse {
        let page = request.page ?? Recs_Common_V1_PageRequest()
        guard page.pageSize >= 0 else {
            throw RegistryErrors.invalid("page.page_size", "page_size must not be negative", section: "docs/API.md, Paging")
        }
        let size = page.pageSize == 0 ? pageSizeDefault : min(Int(page.pageSize), pageSizeMax)
        var afterNumber: Int64 = 0
        if !page.pageToken.isEmpty {
            guard let value = Int64(page.pageToken), value >= 0 else {
                throw RegistryErrors.invalid(
                    "page.page_token", "the page token was not returned by this method", section: "docs/API.md, Paging")
            }
            afterNumber = value
        }
        let after = afterNumber
        let type: String? = request.type == .unspecified ? nil : RegistryCodes.name(request.type)
        let status: String? = request.status == .unspecified ? nil : RegistryCodes.name(request.status)
        return try await journal.read { transaction in
            let rows = try transaction.organizations(afterNumber: after, limit: size + 1, type: type, status: status)
            var response = Recs_Registry_V1_ListOrganizationsResponse()
            // The administrator sees every organization; anybody else the ones it may view (its
            // own, and for a program administrator those that granted it access).
            response.organizations = rows.prefix(size).map(\.organization).filter { organization in
                (try? context.authorize(
                    .viewAccount,
                    on: AccessTarget(
                        organizationID: organization.organizationId,
                        programAdministrators: Set(organization.programAccessOrganizationIds)))) != nil
            }
            var pageResponse = Recs_Common_V1_PageResponse()
            if rows.count > size, let last = rows.prefix(size).last { pageResponse.nextPageToken = String(last.number) }
            response.page = pageResponse
            return response
        }
    }
}
