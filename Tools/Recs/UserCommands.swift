import ArgumentParser
import Foundation
import ProtoMessages

// recs user ...: the logins of an account (registry, Operating Rules §7–§7.3).

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Logins of an account: create, approve agents, change access, disable, enable, name the Manager (§7).",
        subcommands: [
            Create.self, Approve.self, Reject.self, SetAccess.self, Disable.self, Enable.self, SetManager.self, Get.self, List.self,
        ])

    struct Create: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a login: in-organization (active at once, §7.2.2) or --agent (waits for the administrator, §7.2.1).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The organization whose account the login uses.") var organization: String
        @Option(help: "supervisor, maintenance or view-only.") var level: AccessLevelArgument
        @Option(help: "The person's full name.") var name: String
        @Option(help: "The login, unique in the registry.") var login: String
        @Option(help: "E-mail address.") var email: String = ""
        @Option(name: .customLong("agent"), help: "A third-party agent's company: the login is an agent's.") var agentCompany: String = ""
        @Option(
            name: .customLong("permission"),
            help: "generation|certificate[:unit or subaccount id], repeatable (Maintenance logins only).",
            transform: Parse.grant)
        var permissions: [Recs_Registry_V1_PermissionGrant] = []

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_CreateUserRequest()
            request.requestId = session.requestID()
            request.organizationId = organization
            request.kind = agentCompany.isEmpty ? .inOrganization : .thirdPartyAgent
            request.agentCompany = agentCompany
            request.accessLevel = level.proto
            request.personName = name
            request.login = login
            request.email = email
            request.permissions = permissions
            let response = try await session.registry.createUser(request, options: session.callOptions)
            session.printer.emit(response.user?.record ?? Record())
        }
    }

    struct Approve: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Approve an agent's login on its signed form (administrator, §7.2.1).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User id, e.g. U7.") var userID: String
        @Option(name: .customLong("form"), help: "Reference of the signed Agent Authorization Form.") var form: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_ApproveAgentRequest()
            (request.requestId, request.userId, request.authorizationFormReference) = (session.requestID(), userID, form)
            session.printer.emit(try await session.registry.approveAgent(request, options: session.callOptions).user?.record ?? Record())
        }
    }

    struct Reject: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Reject an agent's login (administrator, §7.2.1).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User id, e.g. U7.") var userID: String
        @Option(help: "Why.") var reason: String = ""

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_RejectAgentRequest()
            (request.requestId, request.userId, request.reason) = (session.requestID(), userID, reason)
            session.printer.emit(try await session.registry.rejectAgent(request, options: session.callOptions).user?.record ?? Record())
        }
    }

    struct SetAccess: RecsCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-access", abstract: "Change a login's level and replace its permissions (§7.1, §7.3).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User id, e.g. U7.") var userID: String
        @Option(help: "supervisor, maintenance or view-only.") var level: AccessLevelArgument
        @Option(name: .customLong("permission"), help: "generation|certificate[:unit or subaccount id], repeatable.", transform: Parse.grant)
        var permissions: [Recs_Registry_V1_PermissionGrant] = []

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_SetUserAccessRequest()
            (request.requestId, request.userId, request.accessLevel) = (session.requestID(), userID, level.proto)
            request.permissions = permissions
            session.printer.emit(try await session.registry.setUserAccess(request, options: session.callOptions).user?.record ?? Record())
        }
    }

    struct Disable: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a login: every service refuses its keys within one feed poll (§7.2).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User id, e.g. U7.") var userID: String
        @Option(help: "Why.") var reason: String = ""

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_DisableUserRequest()
            (request.requestId, request.userId, request.reason) = (session.requestID(), userID, reason)
            session.printer.emit(try await session.registry.disableUser(request, options: session.callOptions).user?.record ?? Record())
        }
    }

    struct Enable: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled login again (administrator, §24.4).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User id, e.g. U7.") var userID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_EnableUserRequest()
            (request.requestId, request.userId) = (session.requestID(), userID)
            session.printer.emit(try await session.registry.enableUser(request, options: session.callOptions).user?.record ?? Record())
        }
    }

    struct SetManager: RecsCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-manager", abstract: "Name the account's one Manager; the previous one becomes a Supervisor (administrator, §7.1).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The organization.") var organization: String
        @Argument(help: "User id of an active in-organization login of it.") var userID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_SetAccountManagerRequest()
            (request.requestId, request.organizationId, request.userId) = (session.requestID(), organization, userID)
            let response = try await session.registry.setAccountManager(request, options: session.callOptions)
            session.printer.emit(response.organization?.record ?? Record())
        }
    }

    struct Get: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "Show a login.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User id, e.g. U7.") var userID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_GetUserRequest()
            request.userId = userID
            session.printer.emit(try await session.registry.getUser(request, options: session.callOptions).user?.record ?? Record())
        }
    }

    struct List: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "List an account's logins (default: yours); the administrator lists any, e.g. --status pending-approval.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var page: PageOptions
        @Option(help: "The organization.") var organization: String = ""
        @Option(help: "pending-approval, active, rejected or disabled.") var status: UserStatusArgument?

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_ListUsersRequest()
            request.page = page.proto
            request.organizationId = organization
            if let status { request.status = status.proto }
            let response = try await session.registry.listUsers(request, options: session.callOptions)
            session.printer.emit(list: "users", response.users.map(\.record), extra: pageFooter(response.page))
        }
    }
}

enum UserStatusArgument: String, CaseIterable, ExpressibleByArgument {
    case pendingApproval = "pending-approval"
    case active, rejected, disabled

    var proto: Recs_Registry_V1_UserStatus {
        switch self {
        case .pendingApproval: .pendingApproval
        case .active: .active
        case .rejected: .rejected
        case .disabled: .disabled
        }
    }
}
