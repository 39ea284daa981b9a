import Domain
import ProtoMessages
import RPC
import ServiceKit

/// GetUser and ListUsers: the logins of an account, for whoever may view it (§7, §7.3); one's own
/// login always. Another account's login is NOT_FOUND to a caller who may not view it.
struct ReadUsers {
    let journal: RequestJournal
    let pageSizeDefault: Int
    let pageSizeMax: Int

    func get(_ request: Recs_Registry_V1_GetUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_GetUserResponse {
        try UserRules.checkID(request.userId, field: "user_id")
        return try await journal.read { transaction in
            guard let user = try transaction.user(request.userId),
                context.caller.user?.userID == user.userId
                    || context.permits(.viewAccount, on: AccessTarget(organizationID: user.organizationId))
            else { throw ServiceErrors.notFound("user \(request.userId)", field: "user_id") }
            var response = Recs_Registry_V1_GetUserResponse()
            response.user = user
            return response
        }
    }

    /// One organization's logins (the caller's own when none is given); the administrator may
    /// list every organization's, e.g. the agents waiting for approval.
    func list(_ request: Recs_Registry_V1_ListUsersRequest, context: ServerContext) async throws -> Recs_Registry_V1_ListUsersResponse {
        let page = request.page ?? Recs_Common_V1_PageRequest()
        guard page.pageSize >= 0 else { throw ServiceErrors.invalid("page.page_size", "must not be negative") }
        let size = page.pageSize == 0 ? pageSizeDefault : min(Int(page.pageSize), pageSizeMax)
        var after: Int64 = 0
        if !page.pageToken.isEmpty {
            guard let value = Int64(page.pageToken), value >= 0 else {
                throw ServiceErrors.invalid("page.page_token", "the page token was not returned by this method")
            }
            after = value
        }
        var organizationID: String?
        if !request.organizationId.isEmpty {
            organizationID = try RegistryRules.parse(field: "organization_id") { () throws(RuleViolation) in
                try OrganizationID(parsing: request.organizationId)
            }.description
        } else if !context.permits(.administer, on: AccessTarget()) {
            organizationID = context.caller.user?.organizationID
        }
        if let organizationID {
            try context.authorize(.viewAccount, on: AccessTarget(organizationID: organizationID))
        }
        let status: Recs_Registry_V1_UserStatus? = request.status == .unspecified ? nil : request.status
        let (scope, from) = (organizationID, after)
        return try await journal.read { transaction in
            let rows = try transaction.users(of: scope, afterNumber: from, limit: size + 1)
            var response = Recs_Registry_V1_ListUsersResponse()
            let shown = rows.prefix(size)
            response.users = shown.map(\.user).filter { status == nil || $0.status == status }
            var next = Recs_Common_V1_PageResponse()
            if rows.count > size, let last = shown.last { next.nextPageToken = String(last.number) }
            response.page = next
            return response
        }
    }
}
