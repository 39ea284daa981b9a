import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.registry.v1.RegistryService`, first slice: organizations with their account and default
/// subaccounts, generating unit registration, approval and reporting entity designation, and the
/// event feed. Every other method answers UNIMPLEMENTED (the generated default).
///
/// Who may call each method is ``RegistryAccessRules`` (checked before a handler runs, when the
/// server has ``AccessControl``); events carry the caller as their actor.
///
/// A thin provider: each method is a use case in its capability's folder (Access, Users,
/// Organizations, Units, Feed), with the checks they share in ``RegistryRules``; every change
/// re-reads the callers (``refreshingDirectory(_:)``).
public struct RegistryService: Recs_Registry_V1_RegistryServiceProvider {
    public let repository: RegistryRepository
    /// The callers this service knows; refreshed after every change, since a change of an
    /// organization, login or key may change who may call.
    public let directory: PrincipalDirectory
    let logger: Logger

    /// docs/API.md, idempotency rule 1.
    public static let requestIDCharactersMax = RequestJournal.requestIDCharactersMax
    /// docs/API.md, event feeds and paging.
    public static let pageSizeMax = 1_000
    public static let pageSizeDefault = 100
    /// Our limit on free text (names), so no input makes a record unbounded.
    public static let nameCharactersMax = 200

    public init(repository: RegistryRepository, directory: PrincipalDirectory = PrincipalDirectory(), logger: Logger = Logger(label: "registry")) {
        self.repository = repository
        self.directory = directory
        self.logger = logger
    }

    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { RegistryAccessRules.rules }

    // MARK: Callers and API keys (§7, §11)

    public func whoAmI(request: Recs_Registry_V1_WhoAmIRequest, context: ServerContext) async throws -> Recs_Registry_V1_WhoAmIResponse {
        try await WhoAmI(repository: repository).handle(request, caller: context.caller)
    }

    public func createApiKey(
        request: Recs_Registry_V1_CreateApiKeyRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_CreateApiKeyResponse {
        try await refreshingDirectory { try await CreateApiKey(journal: repository.journal).handle(request, caller: context.caller) }
    }

    public func listApiKeys(
        request: Recs_Registry_V1_ListApiKeysRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListApiKeysResponse {
        try await ListApiKeys(journal: repository.journal).handle(request, caller: context.caller)
    }

    public func revokeApiKey(
        request: Recs_Registry_V1_RevokeApiKeyRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_RevokeApiKeyResponse {
        try await refreshingDirectory { try await RevokeApiKey(journal: repository.journal).handle(request, caller: context.caller) }
    }

    /// Runs a change, then re-reads the callers: the next call already sees a new or revoked key.
    func refreshingDirectory<T>(_ body: () async throws -> T) async throws -> T {
        let result = try await body()
        try await directory.refresh(from: repository.database)
        return result
    }

    // MARK: Organizations (§5.2, §6, §7.1)

    public func createOrganization(
        request: Recs_Registry_V1_CreateOrganizationRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_CreateOrganizationResponse {
        try await refreshingDirectory { try await CreateOrganization(journal: repository.journal).handle(request, context: context) }
    }

    public func getOrganization(
        request: Recs_Registry_V1_GetOrganizationRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_GetOrganizationResponse {
        try await readOrganizations.get(request, context: context)
    }

    public func listOrganizations(
        request: Recs_Registry_V1_ListOrganizationsRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListOrganizationsResponse {
        try await readOrganizations.list(request, context: context)
    }

    public func setProgramAccessSelection(
        request: Recs_Registry_V1_SetProgramAccessSelectionRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_SetProgramAccessSelectionResponse {
        try await refreshingDirectory { try await SetProgramAccessSelection(journal: repository.journal).handle(request, context: context) }
    }

    var readOrganizations: ReadOrganizations {
        ReadOrganizations(journal: repository.journal, pageSizeDefault: Self.pageSizeDefault, pageSizeMax: Self.pageSizeMax)
    }

    // MARK: Generating units (§5.3, §9.2, §10)

    public func registerGeneratingUnit(
        request: Recs_Registry_V1_RegisterGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_RegisterGeneratingUnitResponse {
        try await refreshingDirectory { try await RegisterGeneratingUnit(journal: repository.journal).handle(request, context: context) }
    }

    public func getGeneratingUnit(
        request: Recs_Registry_V1_GetGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_GetGeneratingUnitResponse {
        try await ReadGeneratingUnits(journal: repository.journal).get(request, context: context)
    }

    public func approveGeneratingUnit(
        request: Recs_Registry_V1_ApproveGeneratingUnitRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ApproveGeneratingUnitResponse {
        try await refreshingDirectory { try await ApproveGeneratingUnit(journal: repository.journal).handle(request, context: context) }
    }

    public func designateReportingEntity(
        request: Recs_Registry_V1_DesignateReportingEntityRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_DesignateReportingEntityResponse {
        try await refreshingDirectory { try await DesignateReportingEntity(journal: repository.journal).handle(request, context: context) }
    }

    // MARK: Event feed

    public func listEvents(
        request: Recs_Registry_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Registry_V1_ListEventsResponse {
        try await ListRegistryEvents(journal: repository.journal).handle(request)
    }
}
