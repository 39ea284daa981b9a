import Domain
import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit

/// `recs.reporting.v1.ReportingService`, first slice: the serial number look-up (§20), the public
/// directories of active generators (§19.2.2) and account holders (§19.2.1), the feed positions,
/// and reporting's own (still empty) feed. Answers come from the read models only, never from a
/// call to another service: they reflect the feeds up to the positions reported with them.
///
/// §20 limits the look-up to the administrator, the holders of the range and program
/// administrators on accounts that selected them (§19.3.2): the caller's login carries those
/// accounts (``UserPrincipal/accessGrantedBy``, kept from the registry's feed), so the look-up checks
/// each holder of the range with the one policy.
///
/// A thin provider: each method is a use case in its capability's folder (LookUp, Directories,
/// Feed), with the checks they share in ``ReportingRules``.
public struct ReportingService: Recs_Reporting_V1_ReportingServiceProvider {
    /// Who may call each method (ADR 0006).
    public static var accessRules: AccessRules { ReportingAccessRules.rules }

    public let store: ReportingStore
    let followers: ReportingFollowers
    let logger: Logger

    /// docs/API.md, paging.
    public static let pageSizeDefault = Limits.pageSizeDefault
    public static let pageSizeMax = Limits.pageSizeMax

    public init(store: ReportingStore, followers: ReportingFollowers, logger: Logger) {
        self.store = store
        self.followers = followers
        self.logger = logger
    }

    // MARK: Serial number look-up (§20)

    public func lookUpSerialNumbers(
        request: Recs_Reporting_V1_LookUpSerialNumbersRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_LookUpSerialNumbersResponse {
        try await LookUpSerialNumbers(store: store, followers: followers).handle(request, context: context)
    }

    // MARK: Public directories (§19.2)

    public func listActiveGenerators(
        request: Recs_Reporting_V1_ListActiveGeneratorsRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_ListActiveGeneratorsResponse {
        try await ListActiveGenerators(store: store).handle(request)
    }

    public func listActiveAccountHolders(
        request: Recs_Reporting_V1_ListActiveAccountHoldersRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_ListActiveAccountHoldersResponse {
        try await ListActiveAccountHolders(store: store).handle(request)
    }

    // MARK: Feeds

    public func getFeedPositions(
        request: Recs_Reporting_V1_GetFeedPositionsRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_GetFeedPositionsResponse {
        try await GetFeedPositions(store: store, followers: followers).handle(request)
    }

    public func listEvents(
        request: Recs_Reporting_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Recs_Reporting_V1_ListEventsResponse {
        try await ListReportingEvents(store: store).handle(request)
    }
}
