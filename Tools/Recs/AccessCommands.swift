import ArgumentParser
import Foundation
import ProtoMessages

#if canImport(Glibc)
import Glibc
#endif

// recs whoami, recs key ...: who the caller is and its API keys (registry, §7, §11).

struct WhoAmI: RecsCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Show who the registry takes you for: your login, organization and credential.")

    @OptionGroup var global: GlobalOptions

    func execute(_ session: Session) async throws {
        let response = try await session.registry.whoAmI(Recs_Registry_V1_WhoAmIRequest(), options: session.callOptions)
        var record: Record = [
            "actor_kind": .name(response.actor?.kind ?? .unspecified), "actor_id": .string(response.actor?.id ?? ""),
            "organization_id": .string(response.actor?.organizationId ?? ""), "credential": .string(response.credential),
        ]
        if let user = response.user { record["user"] = .record(user.record) }
        session.printer.emit(record)
    }
}

struct Key: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Your API keys (registry): the secret is shown once, at creation.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key; prints its secret once (keep it in a file only you can read).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "A label to tell your keys apart (at most 100 characters).")
        var label: String = ""

        @Option(name: .customLong("user"), help: "Another login of your organization (needs Supervisor access); default: yours.")
        var userID: String = ""

        @Option(
            name: .customLong("save"),
            help: "Write the secret to this new file (mode 0600) instead of printing it; use it with --api-key-file.")
        var save: String = ""

        func validate() throws {
            if !save.isEmpty, FileManager.default.fileExists(atPath: save) {
                throw ValidationError("--save \"\(save)\" exists already; a key is never written over another")
            }
        }

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_CreateApiKeyRequest()
            request.requestId = session.requestID()
            request.label = label
            request.userId = userID
            let response = try await session.registry.createApiKey(request, options: session.callOptions)
            var record = response.apiKey?.record ?? Record()
            if save.isEmpty {
                record["secret"] = .string(response.secret)
            } else {
                guard Self.writeNew(save, response.secret + "\n") else {
                    throw CommandFailure(
                        "could not create \(save); key \(response.apiKey?.keyId ?? "") was made: revoke it with recs key revoke")
                }
                record["saved_to"] = .string(save)
            }
            session.printer.emit(record)
        }

        /// Creates `path` with mode 0600 only if it does not exist (O_EXCL) and writes `text`.
        static func writeNew(_ path: String, _ text: String) -> Bool {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count
        }
    }

    struct List: RecsCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (never their secrets).")

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("user"), help: "Another login of your organization; default: yours.")
        var userID: String = ""

        @OptionGroup var page: PageOptions

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_ListApiKeysRequest()
            request.userId = userID
            request.page = page.proto
            let response = try await session.registry.listApiKeys(request, options: session.callOptions)
            session.printer.emit(list: "api_keys", response.apiKeys.map(\.record), extra: pageFooter(response.page))
        }
    }

    struct Revoke: RecsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key: every service refuses it within one feed poll.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Key id, e.g. K7.")
        var keyID: String

        func execute(_ session: Session) async throws {
            var request = Recs_Registry_V1_RevokeApiKeyRequest()
            request.requestId = session.requestID()
            request.keyId = keyID
            let response = try await session.registry.revokeApiKey(request, options: session.callOptions)
            session.printer.emit(response.apiKey?.record ?? Record())
        }
    }
}

extension Recs_Registry_V1_ApiKey {
    var record: Record {
        [
            "key_id": .string(keyId), "user_id": .string(userId), "organization_id": .string(organizationId),
            "label": .string(label), "status": .name(status), "created_at": .time(createdAt), "revoked_at": .time(revokedAt),
        ]
    }
}

extension Recs_Registry_V1_User {
    var record: Record {
        [
            "user_id": .string(userId), "organization_id": .string(organizationId), "login": .string(login),
            "kind": .name(kind), "access_level": .name(accessLevel), "status": .name(status),
            "agent_company": agentCompany.isEmpty ? nil : .string(agentCompany),
            "permissions": permissions.isEmpty ? nil : .strings(permissions.map(Self.describe)),
            "status_reason": statusReason.isEmpty ? nil : .string(statusReason),
        ]
    }

    /// `generation`, `certificate:<subaccount>`, ... as `recs user create --permission` takes it.
    static func describe(_ grant: Recs_Registry_V1_PermissionGrant) -> String {
        let category = grant.permission == .generationManagement ? "generation" : "certificate"
        switch grant.scope {
        case .generatingUnitId(let unit): return "\(category):\(unit)"
        case .subaccountId(let subaccount): return "\(category):\(subaccount)"
        case nil: return category
        }
    }
}
