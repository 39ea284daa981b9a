import Foundation
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import RegistryCore
import ServiceTestSupport
import StorageTestSupport
import Testing

/// The logins of an account (Operating Rules §7, §7.1, §7.2.1, §7.2.2, §7.3, §24.4), through an
/// enforced registry: who creates, approves, changes, disables and enables them, and what each
/// login may then do with its own key.
@Suite("registry users")
struct RegistryUserTests {
    /// The administrator, one account holder (A2) with its Manager's key, and a second one (A3).
    struct Setup {
        let registry: Recs_Registry_V1_RegistryServiceClient
        let admin: CallOptions
        let manager: CallOptions
        let organization: Recs_Registry_V1_Organization
        let other: Recs_Registry_V1_Organization
        let managerID: String

        func key(for userID: String, by options: CallOptions? = nil, _ requestID: String = UUID().uuidString) async throws -> CallOptions {
            var request = Recs_Registry_V1_CreateApiKeyRequest()
            (request.requestId, request.userId) = (requestID, userID)
            return RegistryAccessTests.bearer(try await registry.createApiKey(request, options: options ?? admin).secret)
        }

        func createUser(
            _ login: String, level: Recs_Registry_V1_AccessLevel, kind: Recs_Registry_V1_UserKind = .inOrganization,
            grants: [Recs_Registry_V1_PermissionGrant] = [], in organizationID: String? = nil, by options: CallOptions? = nil
        ) async throws -> Recs_Registry_V1_User {
            var request = Recs_Registry_V1_CreateUserRequest()
            request.requestId = "create-\(login)-\(UUID().uuidString)"
            request.organizationId = organizationID ?? organization.organizationId
            request.kind = kind
            request.accessLevel = level
            request.personName = "Person \(login)"
            request.login = login
            if kind == .thirdPartyAgent { request.agentCompany = "Agents Inc." }
            request.permissions = grants
            return try #require(try await registry.createUser(request, options: options ?? manager).user)
        }

        /// Registering a unit on the account: a Generation Management act (§7.1).
        func registerUnit(_ requestID: String, as options: CallOptions) async throws {
            _ = try await registry.registerGeneratingUnit(
                Requests.registerUnit(
                    requestID, organizationID: organization.organizationId,
                    depositSubaccountID: try organization.subaccount(.active).subaccountId),
                options: options)
        }
    }

    func withSetup(_ kind: TestDatabaseKind, _ body: (Setup) async throws -> Void) async throws {
        try await RegistryAccessTests().withGuardedRegistry(kind) { registry, adminKey, _ in
            let admin = RegistryAccessTests.bearer(adminKey)
            let created = try await registry.createOrganization(Requests.createOrganization("users-a"), options: admin)
            let other = try await registry.createOrganization(Requests.createOrganization("users-b"), options: admin)
            let managerID = created.manager?.userId ?? ""
            var request = Recs_Registry_V1_CreateApiKeyRequest()
            (request.requestId, request.userId) = ("manager-key", managerID)
            let manager = RegistryAccessTests.bearer(try await registry.createApiKey(request, options: admin).secret)
            try await body(
                Setup(
                    registry: registry, admin: admin, manager: manager, organization: try #require(created.organization),
                    other: try #require(other.organization), managerID: managerID))
        }
    }

    static func grant(_ permission: Recs_Registry_V1_Permission, subaccount: String? = nil) -> Recs_Registry_V1_PermissionGrant {
        var grant = Recs_Registry_V1_PermissionGrant()
        grant.permission = permission
        if let subaccount { grant.subaccountId = subaccount }
        return grant
    }

    func expectRule(_ code: StatusCode, _ rule: String, _ body: () async throws -> Void) async throws {
        let error = try await expectStatus(code, body)
        #expect(RegistryAccessTests.reason(error) == rule, "\(error)")
    }

    @Test(
        "§7.2.2, §7.1: an in-organization login is active at once and acts at its level: View Only views, Maintenance needs the permission",
        arguments: TestDatabaseKind.allCases)
    func inOrganizationLevels(kind: TestDatabaseKind) async throws {
        try await withSetup(kind) { setup in
            let viewer = try await setup.createUser("viewer", level: .viewOnly)
            #expect(viewer.status == .active && viewer.kind == .inOrganization && viewer.accessLevel == .viewOnly)
            let viewerKey = try await setup.key(for: viewer.userId, by: setup.manager)
            var get = Recs_Registry_V1_GetOrganizationRequest()
            get.organizationId = setup.organization.organizationId
            #expect(try await setup.registry.getOrganization(get, options: viewerKey).organization != nil)
            try await expectRule(.permissionDenied, "1006") { try await setup.registerUnit("by-viewer", as: viewerKey) }

            let clerk = try await setup.createUser("clerk", level: .maintenance)
            let clerkKey = try await setup.key(for: clerk.userId, by: setup.manager)
            try await expectRule(.permissionDenied, "1008") { try await setup.registerUnit("by-clerk", as: clerkKey) }
            var access = Recs_Registry_V1_SetUserAccessRequest()
            (access.requestId, access.userId, access.accessLevel) = ("grant-clerk", clerk.userId, .maintenance)
            access.permissions = [Self.grant(.generationManagement)]
            _ = try await setup.registry.setUserAccess(access, options: setup.manager)
            // The very next call sees the grant.
            try await setup.registerUnit("by-clerk-granted", as: clerkKey)
        }
    }

    @Test("§7.1: one Account Manager, named by the administrator; MANAGER is not a level one creates", arguments: TestDatabaseKind.allCases)
    func oneManager(kind: TestDatabaseKind) async throws {
        try await withSetup(kind) { setup in
            try await expectRule(.invalidArgument, "1011") { _ = try await setup.createUser("second-manager", level: .manager) }
            let supervisor = try await setup.createUser("deputy", level: .supervisor)
            // Only the administrator names the Manager.
            var name = Recs_Registry_V1_SetAccountManagerRequest()
            (name.requestId, name.organizationId, name.userId) = ("name-deputy", setup.organization.organizationId, supervisor.userId)
            try await expectRule(.permissionDenied, "1005") { _ = try await setup.registry.setAccountManager(name, options: setup.manager) }
            let named = try await setup.registry.setAccountManager(name, options: setup.admin)
            #expect(named.organization?.managerUserId == supervisor.userId)
            var get = Recs_Registry_V1_GetUserRequest()
            get.userId = setup.managerID
            #expect(try await setup.registry.getUser(get, options: setup.admin).user?.accessLevel == .supervisor, "the previous Manager")
            get.userId = supervisor.userId
            #expect(try await setup.registry.getUser(get, options: setup.admin).user?.accessLevel == .manager)
            // Another organization's login cannot be named.
            let outsider = try await setup.createUser("outsider", level: .viewOnly, in: setup.other.organizationId, by: setup.admin)
            (name.requestId, name.userId) = ("name-outsider", outsider.userId)
            try await expectRule(.failedPrecondition, "1010") { _ = try await setup.registry.setAccountManager(name, options: setup.admin) }
            // The Manager's access changes only that way.
            var access = Recs_Registry_V1_SetUserAccessRequest()
            (access.requestId, access.userId, access.accessLevel) = ("demote-manager", supervisor.userId, .viewOnly)
            try await expectRule(.failedPrecondition, "1010") { _ = try await setup.registry.setUserAccess(access, options: setup.admin) }
        }
    }

    @Test(
        "§7.1: a Supervisor revokes lower levels only; neither the Manager nor another Supervisor", arguments: TestDatabaseKind.allCases)
    func supervisorLimits(kind: TestDatabaseKind) async throws {
        try await withSetup(kind) { setup in
            let deputy = try await setup.createUser("deputy", level: .supervisor)
            let peer = try await setup.createUser("peer", level: .supervisor)
            let clerk = try await setup.createUser("clerk", level: .maintenance)
            let deputyKey = try await setup.key(for: deputy.userId, by: setup.manager)
            func disable(_ userID: String, _ requestID: String, as options: CallOptions) async throws -> Recs_Registry_V1_User? {
                var request = Recs_Registry_V1_DisableUserRequest()
                (request.requestId, request.userId, request.reason) = (requestID, userID, "left the company")
                return try await setup.registry.disableUser(request, options: options).user
            }
            try await expectRule(.permissionDenied, "1006") { _ = try await disable(peer.userId, "d-peer", as: deputyKey) }
            try await expectRule(.permissionDenied, "1006") { _ = try await disable(setup.managerID, "d-manager", as: deputyKey) }
            #expect(try await disable(clerk.userId, "d-clerk", as: deputyKey)?.status == .disabled)
            // A Supervisor makes nobody a Supervisor.
            let viewer = try await setup.createUser("viewer", level: .viewOnly, by: deputyKey)
            var promote = Recs_Registry_V1_SetUserAccessRequest()
            (promote.requestId, promote.userId, promote.accessLevel) = ("promote", viewer.userId, .supervisor)
            try await expectRule(.permissionDenied, "1006") { _ = try await setup.registry.setUserAccess(promote, options: deputyKey) }
            // The Manager does not disable itself: the account would have none.
            try await expectRule(.failedPrecondition, "1010") { _ = try await disable(setup.managerID, "d-self", as: setup.manager) }
            // Another organization's Manager changes nothing here.
            let otherManager = try await setup.key(for: setup.other.managerUserId)
            try await expectRule(.permissionDenied, "1007") { _ = try await disable(viewer.userId, "d-other", as: otherManager) }
        }
    }

    @Test(
        "§7.2.2, §24.4: a disabled login's key is refused on its next call; the administrator enables it again",
        arguments: TestDatabaseKind.allCases)
    func disableAndEnable(kind: TestDatabaseKind) async throws {
        try await withSetup(kind) { setup in
            let clerk = try await setup.createUser("clerk", level: .viewOnly)
            let clerkKey = try await setup.key(for: clerk.userId, by: setup.manager)
            let who = Recs_Registry_V1_WhoAmIRequest()
            #expect(try await setup.registry.whoAmI(who, options: clerkKey).user?.userId == clerk.userId)
            var disable = Recs_Registry_V1_DisableUserRequest()
            (disable.requestId, disable.userId) = ("disable-clerk", clerk.userId)
            _ = try await setup.registry.disableUser(disable, options: setup.manager)
            try await expectRule(.permissionDenied, "1004") { _ = try await setup.registry.whoAmI(who, options: clerkKey) }
            disable.requestId = "disable-again"
            try await expectRule(.failedPrecondition, "1010") { _ = try await setup.registry.disableUser(disable, options: setup.manager) }
            var enable = Recs_Registry_V1_EnableUserRequest()
            (enable.requestId, enable.userId) = ("enable-clerk", clerk.userId)
            try await expectRule(.permissionDenied, "1005") { _ = try await setup.registry.enableUser(enable, options: setup.manager) }
            #expect(try await setup.registry.enableUser(enable, options: setup.admin).user?.status == .active)
            #expect(try await setup.registry.whoAmI(who, options: clerkKey).user?.status == .active)
        }
    }

    @Test(
        "§7.2.1: an agent's login acts only once the administrator approved it on the signed form; rejected, it never does",
        arguments: TestDatabaseKind.allCases)
    func agents(kind: TestDatabaseKind) async throws {
        try await withSetup(kind) { setup in
            let agent = try await setup.createUser("agent", level: .maintenance, kind: .thirdPartyAgent)
            #expect(agent.status == .pendingApproval)
            let agentKey = try await setup.key(for: agent.userId, by: setup.manager)
            var get = Recs_Registry_V1_GetOrganizationRequest()
            get.organizationId = setup.organization.organizationId
            try await expectRule(.permissionDenied, "1003") { _ = try await setup.registry.getOrganization(get, options: agentKey) }
            // The administrator lists the logins waiting for it, across organizations.
            var pending = Recs_Registry_V1_ListUsersRequest()
            pending.status = .pendingApproval
            #expect(try await setup.registry.listUsers(pending, options: setup.admin).users.map(\.userId) == [agent.userId])

            var approve = Recs_Registry_V1_ApproveAgentRequest()
            (approve.requestId, approve.userId) = ("approve-agent", agent.userId)
            _ = try await expectStatus(.invalidArgument) { _ = try await setup.registry.approveAgent(approve, options: setup.admin) }
            approve.authorizationFormReference = "AAF-2026-17"
            try await expectRule(.permissionDenied, "1005") { _ = try await setup.registry.approveAgent(approve, options: setup.manager) }
            let approved = try await setup.registry.approveAgent(approve, options: setup.admin).user
            #expect(approved?.status == .active && approved?.agentAuthorizationFormReference == "AAF-2026-17")
            #expect(try await setup.registry.getOrganization(get, options: agentKey).organization != nil)
            approve.requestId = "approve-again"
            try await expectRule(.failedPrecondition, "1010") { _ = try await setup.registry.approveAgent(approve, options: setup.admin) }

            let second = try await setup.createUser("agent-2", level: .viewOnly, kind: .thirdPartyAgent)
            var reject = Recs_Registry_V1_RejectAgentRequest()
            (reject.requestId, reject.userId, reject.reason) = ("reject-agent", second.userId, "no signed form received")
            #expect(try await setup.registry.rejectAgent(reject, options: setup.admin).user?.status == .rejected)
            // In-organization logins are not agents to approve.
            let clerk = try await setup.createUser("clerk", level: .viewOnly)
            (approve.requestId, approve.userId) = ("approve-clerk", clerk.userId)
            try await expectRule(.failedPrecondition, "1010") { _ = try await setup.registry.approveAgent(approve, options: setup.admin) }

            // Disabled and enabled again before approval, an agent waits again (never active unapproved).
            let third = try await setup.createUser("agent-3", level: .viewOnly, kind: .thirdPartyAgent)
            var disable = Recs_Registry_V1_DisableUserRequest()
            (disable.requestId, disable.userId) = ("disable-agent-3", third.userId)
            _ = try await setup.registry.disableUser(disable, options: setup.manager)
            var enable = Recs_Registry_V1_EnableUserRequest()
            (enable.requestId, enable.userId) = ("enable-agent-3", third.userId)
            #expect(try await setup.registry.enableUser(enable, options: setup.admin).user?.status == .pendingApproval)
        }
    }

    @Test(
        "§7, §7.3: permissions name the account's own units and subaccounts; logins are unique; each account lists its own logins",
        arguments: TestDatabaseKind.allCases)
    func scopesAndListing(kind: TestDatabaseKind) async throws {
        try await withSetup(kind) { setup in
            let foreign = try setup.other.subaccount(.active).subaccountId
            try await expectRule(.failedPrecondition, "1012") {
                _ = try await setup.createUser("clerk", level: .maintenance, grants: [Self.grant(.certificateManagement, subaccount: foreign)])
            }
            let own = try setup.organization.subaccount(.active).subaccountId
            let clerk = try await setup.createUser("clerk", level: .maintenance, grants: [Self.grant(.certificateManagement, subaccount: own)])
            #expect(clerk.permissions.first?.subaccountId == own)
            try await expectRule(.invalidArgument, "1011") {
                _ = try await setup.createUser("viewer", level: .viewOnly, grants: [Self.grant(.certificateManagement)])
            }
            _ = try await expectStatus(.alreadyExists) { _ = try await setup.createUser("CLERK", level: .viewOnly) }

            var list = Recs_Registry_V1_ListUsersRequest()
            #expect(try await setup.registry.listUsers(list, options: setup.manager).users.map(\.userId) == [setup.managerID, clerk.userId])
            list.page = Recs_Common_V1_PageRequest()
            list.page?.pageSize = 1
            let first = try await setup.registry.listUsers(list, options: setup.manager)
            #expect(first.users.map(\.userId) == [setup.managerID])
            list.page?.pageToken = first.page?.nextPageToken ?? ""
            #expect(try await setup.registry.listUsers(list, options: setup.manager).users.map(\.userId) == [clerk.userId])
            var other = Recs_Registry_V1_ListUsersRequest()
            other.organizationId = setup.other.organizationId
            try await expectRule(.permissionDenied, "1007") { _ = try await setup.registry.listUsers(other, options: setup.manager) }
            var get = Recs_Registry_V1_GetUserRequest()
            get.userId = setup.other.managerUserId
            _ = try await expectStatus(.notFound) { _ = try await setup.registry.getUser(get, options: setup.manager) }
            // Every change is in the feed with its actor, for the services that authenticate callers.
            let events = try await setup.registry.listEvents(Recs_Registry_V1_ListEventsRequest(), options: setup.admin)
            let creation = events.events.last { $0.action == "CreateUser" }
            #expect(creation?.user.userId == clerk.userId && creation?.actor?.id == setup.managerID)
        }
    }
}
