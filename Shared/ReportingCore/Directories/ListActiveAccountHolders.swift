import Domain
import GRPCWire
import ProtoMessages
import RPC
import ServiceKit

/// §19.2.1: active organizations with name and contact information, filtered by type.
struct ListActiveAccountHolders {
    let store: ReportingStore

    func handle(
        _ request: Recs_Reporting_V1_ListActiveAccountHoldersRequest
    ) async throws -> Recs_Reporting_V1_ListActiveAccountHoldersResponse {
        let size = try ReportingRules.pageSize(request.page)
        let token = request.page?.pageToken ?? ""
        if !token.isEmpty {
            do throws(RuleViolation) { _ = try OrganizationID(parsing: token) } catch {
                throw ServiceErrors.invalid("page.page_token", "the page token was not returned by this method (docs/API.md, paging)")
            }
        }
        if case .unrecognized = request.type { throw ServiceErrors.invalid("type", "unknown organization type") }
        let rows = try await store.activeOrganizations(type: request.type, after: token.isEmpty ? nil : token, limit: size + 1)
        var response = Recs_Reporting_V1_ListActiveAccountHoldersResponse()
        response.accountHolders = rows.prefix(size).map(\.listing)
        var page = Recs_Common_V1_PageResponse()
        if rows.count > size, let last = rows.prefix(size).last { page.nextPageToken = last.id }
        response.page = page
        return response
    }
}
