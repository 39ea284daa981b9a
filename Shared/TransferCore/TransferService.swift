import GRPCWire
import Domain
import Foundation
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.transfer.v1.TransferService`, first slice, over the ``Ledger``: deposits from issuance
/// (§14.2), one-time inter-account transfers (§15.2, §15.3; M-RETS §4.6.1) with their 14-day
/// expiry (``expirePendingTransfers(now:)``), retirement (§16.1), holdings and the event feed.
/// Every other method answers UNIMPLEMENTED (the generated default).
///
/// A thin provider: each method is a use case in its capability's folder (Transfers, Deposits,
/// Retirement, Holdings, Feed), and every mutating one goes through the one pipeline (ADR 0006):
/// the interceptor authenticated and admitted the caller; the use case checks the record it acts
/// on, then runs once per request id in one transaction of the ``RequestJournal`` with its ledger
/// change, its record and its event carrying the actor, a refusal recorded like a success.
public struct TransferService: Recs_Transfer_V1_TransferServiceProvider {
    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { TransferAccessRules.rules }

    public let store: TransferStore
    let logger: Logger
    /// The current time; tests may replace it.
    let clock: @Sendable () -> Date
    let registry: RegistryLookup

    public init(
        store: TransferStore, logger: Logger = Logger(label: "transfer"), clock: @escaping @Sendable () -> Date = { Date() },
        registryFeed: RegistryFeed.Follower? = nil
    ) {
        self.store = store
        self.logger = logger
        self.clock = clock
        self.registry = RegistryLookup(store: store, feed: registryFeed, logger: logger)
    }

    // MARK: Deposits (§14.2)

    public func depositCertificates(
        request: Recs_Transfer_V1_DepositCertificatesRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_DepositCertificatesResponse {
        try await DepositCertificates(store: store, registry: registry).handle(request, context: context, now: clock())
    }

    // MARK: One-time inter-account transfers (§15.2, §15.3; M-RETS §4.6.1)

    public func requestInterAccountTransfer(
        request: Recs_Transfer_V1_RequestInterAccountTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_RequestInterAccountTransferResponse {
        try await RequestInterAccountTransfer(store: store, registry: registry).handle(request, context: context, now: clock())
    }

    public func acceptTransfer(
        request: Recs_Transfer_V1_AcceptTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_AcceptTransferResponse {
        try RequestJournal.checkRequestID(request.requestId)
        guard request.toSubaccountId.isEmpty else {
            // The recipient's default Active subaccount receives them; choosing another is not built yet.
            throw RPCError(.unimplemented, "AcceptTransfer into a chosen to_subaccount_id is not implemented yet")
        }
        var response = Recs_Transfer_V1_AcceptTransferResponse()
        response.transfer = try await end(.accept, request.transferId, request, requestID: request.requestId, context) { $0.requestId = "" }
        return response
    }

    public func rejectTransfer(
        request: Recs_Transfer_V1_RejectTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_RejectTransferResponse {
        try TransferMessages.checkReason(request.reason, field: "reason")
        var response = Recs_Transfer_V1_RejectTransferResponse()
        response.transfer = try await end(
            .reject(reason: request.reason), request.transferId, request, requestID: request.requestId, context) { $0.requestId = "" }
        return response
    }

    public func withdrawTransfer(
        request: Recs_Transfer_V1_WithdrawTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_WithdrawTransferResponse {
        var response = Recs_Transfer_V1_WithdrawTransferResponse()
        response.transfer = try await end(.withdraw, request.transferId, request, requestID: request.requestId, context) { $0.requestId = "" }
        return response
    }

    /// An answer to a pending transfer, shown to the caller as its party sees it.
    func end<Request: ProtoMessage>(
        _ ending: EndTransfer.Ending, _ transferID: String, _ request: Request, requestID: String, _ context: ServerContext,
        clearing: @escaping (inout Request) -> Void
    ) async throws -> Recs_Transfer_V1_Transfer {
        guard !transferID.isEmpty, transferID.utf8.count <= RequestJournal.requestIDCharactersMax else {
            throw ServiceErrors.invalid("transfer_id", "is required (the request id of the transfer's request)")
        }
        let ended = try await EndTransfer(store: store).run(
            ending, transferID: transferID, request: request, requestID: requestID, context: context, actor: context.caller.actor,
            now: clock(), clearing: clearing)
        return TransferMessages.visible(ended, for: context)
    }

    public func getTransfer(
        request: Recs_Transfer_V1_GetTransferRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_GetTransferResponse {
        try await ReadTransfer(store: store).get(request, context: context)
    }

    /// §15.2, §15.3; M-RETS §4.6.1: pending transfers older than 14 days at `now` expire and the
    /// certificates go back to the transferor, active. Idempotent (request id `expire:<transfer>`);
    /// returns the transfers it expired. The executable calls it periodically; tests pass a time.
    @discardableResult
    public func expirePendingTransfers(now: Date) async throws -> [Recs_Transfer_V1_Transfer] {
        try await ExpireTransfers(store: store).run(now: now)
    }

    // MARK: Retirement (§16.1)

    public func retireCertificates(
        request: Recs_Transfer_V1_RetireCertificatesRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_RetireCertificatesResponse {
        try await RetireCertificates(store: store, registry: registry).handle(request, context: context, now: clock())
    }

    // MARK: Holdings (§6.1.3, §6.2.3, §6.3.3, §6.4.3)

    public func getHoldingsSummary(
        request: Recs_Transfer_V1_GetHoldingsSummaryRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_GetHoldingsSummaryResponse {
        try await GetHoldingsSummary(store: store).handle(request, context: context)
    }

    // MARK: Event feed (docs/API.md, event-feed contract)

    public func listEvents(
        request: Recs_Transfer_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Transfer_V1_ListEventsResponse {
        try await ListTransferEvents(store: store).handle(request)
    }
}
