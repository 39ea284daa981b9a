import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.issuance.v1.IssuanceService`, first slice: generation uploads posted to the Generation
/// Activity Log, issuance cycles that turn accepted generation into certificate batches deposited
/// through transfer, and the reads and event feed around them. Every other method answers
/// UNIMPLEMENTED (the generated default of every method not implemented here).
///
/// Who is calling is not decided yet (docs/API.md, "Who is calling"): the uploader is the
/// `reporter_organization_id` the request names, request ids are scoped to the whole service, and
/// events carry no actor.
///
/// A thin provider: each method is a use case in its capability's folder (Uploads, ActivityLog,
/// Cycles, Batches, Feed), with the checks they share in ``IssuanceRules``.
public struct IssuanceService: Recs_Issuance_V1_IssuanceServiceProvider {
    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { IssuanceAccessRules.rules }

    public let store: IssuanceStore
    let registry: FeedFollower<Recs_Registry_V1_Event>
    let deposits: DepositQueue
    let logger: Logger
    let clock: @Sendable () -> Date

    /// docs/API.md, idempotency rule 1.
    public static let requestIDCharactersMax = RequestJournal.requestIDCharactersMax
    /// docs/API.md, paging.
    public static let pageSizeMax = Limits.pageSizeMax
    public static let pageSizeDefault = Limits.pageSizeDefault

    init(
        store: IssuanceStore, registry: FeedFollower<Recs_Registry_V1_Event>, deposits: DepositQueue, logger: Logger,
        clock: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.registry = registry
        self.deposits = deposits
        self.logger = logger
        self.clock = clock
    }

    // MARK: Uploads (Appendix D §4-§6)

    public func uploadGenerationFile(
        request: Recs_Issuance_V1_UploadGenerationFileRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_UploadGenerationFileResponse {
        try await UploadGenerationFile(store: store, registry: registry, logger: logger, clock: clock).handle(request, context: context)
    }

    public func getGenerationUpload(
        request: Recs_Issuance_V1_GetGenerationUploadRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationUploadResponse {
        try await GetGenerationUpload(store: store).handle(request, context: context)
    }

    // MARK: Generation Activity Log (§12.6)

    public func getGenerationActivityLog(
        request: Recs_Issuance_V1_GetGenerationActivityLogRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetGenerationActivityLogResponse {
        try await GetGenerationActivityLog(store: store).handle(request, context: context)
    }

    // MARK: Issuance cycles (§12.1-§12.6, §14.2)

    public func runIssuanceCycle(
        request: Recs_Issuance_V1_RunIssuanceCycleRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_RunIssuanceCycleResponse {
        try await runCycle(request, actor: context.caller.actor)
    }

    /// A cycle run by `actor`: the administrator by hand, or the scheduler (``AutomaticCycles``).
    func runCycle(
        _ request: Recs_Issuance_V1_RunIssuanceCycleRequest, actor: Recs_Common_V1_Actor
    ) async throws -> Recs_Issuance_V1_RunIssuanceCycleResponse {
        try await RunIssuanceCycle(store: store, deposits: deposits, clock: clock).run(request, actor: actor)
    }

    public func getIssuanceCycle(
        request: Recs_Issuance_V1_GetIssuanceCycleRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetIssuanceCycleResponse {
        try await ReadIssuanceCycles(store: store).get(request)
    }

    public func listIssuanceCycles(
        request: Recs_Issuance_V1_ListIssuanceCyclesRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListIssuanceCyclesResponse {
        try await ReadIssuanceCycles(store: store).list(request)
    }

    // MARK: Certificate batches

    public func getCertificateBatch(
        request: Recs_Issuance_V1_GetCertificateBatchRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_GetCertificateBatchResponse {
        try await ReadCertificateBatches(store: store).get(request, context: context)
    }

    public func listCertificateBatches(
        request: Recs_Issuance_V1_ListCertificateBatchesRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListCertificateBatchesResponse {
        try await ReadCertificateBatches(store: store).list(request, context: context)
    }

    // MARK: Event feed

    public func listEvents(
        request: Recs_Issuance_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Issuance_V1_ListEventsResponse {
        try await ListIssuanceEvents(store: store).handle(request)
    }
}
