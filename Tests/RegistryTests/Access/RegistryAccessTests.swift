import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import RegistryCore
import ServiceTestSupport
import StorageTestSupport
import Testing

/// Who may call the registry (Operating Rules §7, §7.1, §11; ADR 0006): API keys, the
/// administrator made on first start, and the policy applied before and inside the use cases.
@Suite("registry access")
struct RegistryAccessTests {
    /// A registry with access control on, its administrator made in a fresh directory.
    func withGuardedRegistry(
        _ kind: TestDatabaseKind, _ body: (Recs_Registry_V1_RegistryServiceClient, _ adminKey: String, URL) async throws -> Void
    ) async throws {
        var logger = Logger(label: "registry-access-test")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-access-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServedApplication(kind) { testDatabase in
            try await RegistryApplication.build(
                database: testDatabase.database, server: ServerConfiguration(port: 0),
                access: RegistryApplication.Access(keyDirectory: directory, checks: .enforced()), logger: logger)
        } _: { _, client, _ in
            let key = try String(contentsOf: directory.appendingPathComponent("admin-api-key"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try await body(Recs_Registry_V1_RegistryServiceClient(client), key, directory)
        }
    }

    static func bearer(_ key: String) -> CallOptions {
        var metadata = Metadata()
        metadata.add("authorization", "Bearer \(key)")
        return CallOptions(metadata: metadata)
    }

    static func reason(_ error: RPCError) -> String {
        guard let bytes = error.metadata.binary("recs-error-details-bin"),
            let details = try? Recs_Common_V1_ErrorDetails(protobufBytes: bytes)
        else { return "" }
        return details.reason.isEmpty ? details.violations.map { String($0.code) }.joined(separator: ",") : details.reason
    }

    @Test("§11: no credential is UNAUTHENTICATED (1001); a forged or malformed key too", arguments: TestDatabaseKind.allCases)
    func anonymousRefused(kind: TestDatabaseKind) async throws {
        try await withGuardedRegistry(kind) { registry, adminKey, _ in
            let anonymous = try await expectStatus(.unauthenticated) {
                _ = try await registry.createOrganization(Requests.createOrganization("anon"))
            }
            #expect(Self.reason(anonymous) == "1001")
            // The right key id with another secret.
            let forged = String(adminKey.dropLast(4)) + "0000"
            let rejected = try await expectStatus(.unauthenticated) {
                _ = try await registry.createOrganization(Requests.createOrganization("forged"), options: Self.bearer(forged))
            }
            #expect(Self.reason(rejected) == "CREDENTIAL_REJECTED")
            let malformed = try await expectStatus(.unauthenticated) {
                _ = try await registry.createOrganization(Requests.createOrganization("bad"), options: Self.bearer("not-a-key"))
            }
            #expect(Self.reason(malformed) == "CREDENTIAL_MALFORMED")
            // Nothing was created: the administrator's organization is the only one.
            let listed = try await registry.listOrganizations(Recs_Registry_V1_ListOrganizationsRequest(), options: Self.bearer(adminKey))
            #expect(listed.organizations.map(\.organizationId) == ["A1"])
        }
    }

    @Test("§3, §7: the first start's administrator key creates organizations; WhoAmI names it", arguments: TestDatabaseKind.allCases)
    func administratorActs(kind: TestDatabaseKind) async throws {
        try await withGuardedRegistry(kind) { registry, adminKey, _ in
            let me = try await registry.whoAmI(Recs_Registry_V1_WhoAmIRequest(), options: Self.bearer(adminKey))
            #expect(me.actor?.kind == .registryAdministrator && me.actor?.organizationId == "A1")
            #expect(me.user?.login == "admin" && me.credential == "K1")
            let created = try await registry.createOrganization(Requests.createOrganization("org-1"), options: Self.bearer(adminKey))
            #expect(created.organization?.organizationId == "A2")
            // The event names who made the change (§7: "who has made the change").
            let events = try await registry.listEvents(Recs_Registry_V1_ListEventsRequest(), options: Self.bearer(adminKey))
            let creation = events.events.last { $0.action == "CreateOrganization" }
            #expect(creation?.actor?.kind == .registryAdministrator && creation?.actor?.id == me.user?.userId)
        }
    }

    @Test("§7.1, §7.3: a Manager's key acts on its own account only; not as administrator", arguments: TestDatabaseKind.allCases)
    func managerScope(kind: TestDatabaseKind) async throws {
        try await withGuardedRegistry(kind) { registry, adminKey, _ in
            let admin = Self.bearer(adminKey)
            let first = try await registry.createOrganization(Requests.createOrganization("org-a"), options: admin)
            let second = try await registry.createOrganization(Requests.createOrganization("org-b"), options: admin)
            var keyRequest = Recs_Registry_V1_CreateApiKeyRequest()
            keyRequest.requestId = "key-a"
            keyRequest.userId = first.manager?.userId ?? ""
            keyRequest.label = "pat's laptop"
            let managerKey = try await registry.createApiKey(keyRequest, options: admin)
            #expect(managerKey.apiKey?.secretSha256.isEmpty == true, "the hash is never returned")
            let manager = Self.bearer(managerKey.secret)

            var own = Recs_Registry_V1_GetOrganizationRequest()
            own.organizationId = first.organization?.organizationId ?? ""
            #expect(try await registry.getOrganization(own, options: manager).organization?.name == "Sunny Acres LLC")
            var other = Recs_Registry_V1_GetOrganizationRequest()
            other.organizationId = second.organization?.organizationId ?? ""
            let refused = try await expectStatus(.permissionDenied) { _ = try await registry.getOrganization(other, options: manager) }
            #expect(Self.reason(refused) == "1007")
            let listed = try await registry.listOrganizations(Recs_Registry_V1_ListOrganizationsRequest(), options: manager)
            #expect(listed.organizations.map(\.organizationId) == [first.organization?.organizationId ?? "?"])
            let notAdmin = try await expectStatus(.permissionDenied) {
                _ = try await registry.createOrganization(Requests.createOrganization("by-manager"), options: manager)
            }
            #expect(Self.reason(notAdmin) == "1005")
            // Another organization's unit registration is refused before anything is checked.
            let elsewhere = try await expectStatus(.permissionDenied) {
                _ = try await registry.registerGeneratingUnit(
                    Requests.registerUnit(
                        "unit-elsewhere", organizationID: second.organization?.organizationId ?? "",
                        depositSubaccountID: second.organization?.subaccounts.first?.subaccountId ?? ""),
                    options: manager)
            }
            #expect(Self.reason(elsewhere) == "1007")
            // The feed is for the services and the administrator (§11).
            let feed = try await expectStatus(.permissionDenied) {
                _ = try await registry.listEvents(Recs_Registry_V1_ListEventsRequest(), options: manager)
            }
            #expect(Self.reason(feed) == "1005")
        }
    }

    @Test("§11: a revoked key is refused on the next call; its owner may revoke it, others may not", arguments: TestDatabaseKind.allCases)
    func revocation(kind: TestDatabaseKind) async throws {
        try await withGuardedRegistry(kind) { registry, adminKey, _ in
            let admin = Self.bearer(adminKey)
            let first = try await registry.createOrganization(Requests.createOrganization("org-r"), options: admin)
            let second = try await registry.createOrganization(Requests.createOrganization("org-s"), options: admin)
            func key(for user: String, _ requestID: String) async throws -> Recs_Registry_V1_CreateApiKeyResponse {
                var request = Recs_Registry_V1_CreateApiKeyRequest()
                request.requestId = requestID
                request.userId = user
                return try await registry.createApiKey(request, options: admin)
            }
            let pat = try await key(for: first.manager?.userId ?? "", "key-pat")
            let other = try await key(for: second.manager?.userId ?? "", "key-other")
            // The Manager of another organization may not revoke (or list) pat's key.
            var revoke = Recs_Registry_V1_RevokeApiKeyRequest()
            revoke.requestId = "revoke-by-other"
            revoke.keyId = pat.apiKey?.keyId ?? ""
            _ = try await expectStatus(.permissionDenied) { _ = try await registry.revokeApiKey(revoke, options: Self.bearer(other.secret)) }
            // Pat lists and revokes its own key; the very next call with it is refused.
            let listed = try await registry.listApiKeys(Recs_Registry_V1_ListApiKeysRequest(), options: Self.bearer(pat.secret))
            #expect(listed.apiKeys.map(\.keyId) == [pat.apiKey?.keyId ?? "?"])
            revoke.requestId = "revoke-by-pat"
            let revoked = try await registry.revokeApiKey(revoke, options: Self.bearer(pat.secret))
            #expect(revoked.apiKey?.status == .revoked)
            let after = try await expectStatus(.unauthenticated) {
                _ = try await registry.whoAmI(Recs_Registry_V1_WhoAmIRequest(), options: Self.bearer(pat.secret))
            }
            #expect(Self.reason(after) == "CREDENTIAL_REJECTED")
            // The other key still works.
            #expect(try await registry.whoAmI(Recs_Registry_V1_WhoAmIRequest(), options: Self.bearer(other.secret)).credential
                == other.apiKey?.keyId)
        }
    }

    @Test("docs/API.md, Paging: a login's keys are listed in creation order, in pages, revoked ones included", arguments: TestDatabaseKind.allCases)
    func keysInPages(kind: TestDatabaseKind) async throws {
        try await withGuardedRegistry(kind) { registry, adminKey, _ in
            let admin = Self.bearer(adminKey)
            let created = try await registry.createOrganization(Requests.createOrganization("org-keys"), options: admin)
            var made: [String] = []
            for number in 1...5 {
                var request = Recs_Registry_V1_CreateApiKeyRequest()
                (request.requestId, request.userId, request.label) = ("keys-\(number)", created.manager?.userId ?? "", "key \(number)")
                made.append(try await registry.createApiKey(request, options: admin).apiKey?.keyId ?? "?")
            }
            var revoke = Recs_Registry_V1_RevokeApiKeyRequest()
            (revoke.requestId, revoke.keyId) = ("keys-revoke", made[1])
            _ = try await registry.revokeApiKey(revoke, options: admin)
            // Pages of two partition the five keys, in the order they were made.
            var listed: [String] = []
            var pages = 0
            var request = Recs_Registry_V1_ListApiKeysRequest()
            request.userId = created.manager?.userId ?? ""
            var page = Recs_Common_V1_PageRequest()
            page.pageSize = 2
            repeat {
                request.page = page
                let response = try await registry.listApiKeys(request, options: admin)
                #expect(response.apiKeys.count <= 2)
                #expect(response.apiKeys.allSatisfy { $0.secretSha256.isEmpty }, "never the hashes")
                listed += response.apiKeys.map(\.keyId)
                pages += 1
                page.pageToken = response.page?.nextPageToken ?? ""
            } while !page.pageToken.isEmpty && pages < 10
            #expect(listed == made)
            #expect(pages == 3)
            // A token this method did not return, and a negative page size, name the field.
            page.pageToken = "K1"
            request.page = page
            let malformed = try await expectStatus(.invalidArgument) { _ = try await registry.listApiKeys(request, options: admin) }
            #expect(malformed.message.contains("page.page_token"), "\(malformed)")
            page = Recs_Common_V1_PageRequest()
            page.pageSize = -1
            request.page = page
            let negative = try await expectStatus(.invalidArgument) { _ = try await registry.listApiKeys(request, options: admin) }
            #expect(negative.message.contains("page.page_size"), "\(negative)")
        }
    }

    @Test("health and reflection stay open to anonymous callers")
    func healthOpen() async throws {
        var logger = Logger(label: "registry-access-test")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-access-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServedApplication(.sqlite) { testDatabase in
            try await RegistryApplication.build(
                database: testDatabase.database, server: ServerConfiguration(port: 0),
                access: RegistryApplication.Access(keyDirectory: directory, checks: .enforced()), logger: logger)
        } _: { _, client, _ in
            let health = Grpc_Health_V1_HealthClient(client)
            var check = Grpc_Health_V1_HealthCheckRequest()
            check.service = "recs.registry.v1.RegistryService"
            let status = try await health.check(check).status
            #expect(status == .serving)
        }
    }
}
