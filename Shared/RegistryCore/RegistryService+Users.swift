import ProtoMessages
import RPC

/// §7–§7.3: the logins of an account (Shared/RegistryCore/Users, one use case per file). Every
/// change re-reads the callers, so the next call already sees it.
extension RegistryService {
    public func createUser(request: Recs_Registry_V1_CreateUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_CreateUserResponse {
        try await refreshingDirectory { try await CreateUser(journal: repository.journal).handle(request, context: context) }
    }

    public func approveAgent(
        request: Recs_Registry_V1_ApproveAgentRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ApproveAgentResponse {
        try await refreshingDirectory { try await AnswerAgent(journal: repository.journal).approve(request, context: context) }
    }

    public func rejectAgent(request: Recs_Registry_V1_RejectAgentRequest, context: ServerContext) async throws -> Recs_Registry_V1_RejectAgentResponse {
        try await refreshingDirectory { try await AnswerAgent(journal: repository.journal).reject(request, context: context) }
    }

    public func setUserAccess(
        request: Recs_Registry_V1_SetUserAccessRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_SetUserAccessResponse {
        try await refreshingDirectory { try await SetUserAccess(journal: repository.journal).handle(request, context: context) }
    }

    public func disableUser(request: Recs_Registry_V1_DisableUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_DisableUserResponse {
        try await refreshingDirectory { try await DisableUser(journal: repository.journal).handle(request, context: context) }
    }

    public func enableUser(request: Recs_Registry_V1_EnableUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_EnableUserResponse {
        try await refreshingDirectory { try await EnableUser(journal: repository.journal).handle(request, context: context) }
    }

    public func setAccountManager(
        request: Recs_Registry_V1_SetAccountManagerRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_SetAccountManagerResponse {
        try await refreshingDirectory { try await SetAccountManager(journal: repository.journal).handle(request, context: context) }
    }

    public func getUser(request: Recs_Registry_V1_GetUserRequest, context: ServerContext) async throws -> Recs_Registry_V1_GetUserResponse {
        try await readUsers.get(request, context: context)
    }

    public func listUsers(request: Recs_Registry_V1_ListUsersRequest, context: ServerContext) async throws -> Recs_Registry_V1_ListUsersResponse {
        try await readUsers.list(request, context: context)
    }

    var readUsers: ReadUsers { ReadUsers(journal: repository.journal, pageSizeDefault: Self.pageSizeDefault, pageSizeMax: Self.pageSizeMax) }
}
