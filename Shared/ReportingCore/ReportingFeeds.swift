import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import Storage
import Synchronization

/// Where reporting reads the three feeds it follows: one fetch per feed (after a sequence, at most
/// a limit → events and the producer's newest sequence). The executable reads them with each
/// service's `ListEvents`; tests hand in events they built.
public struct ReportingFeeds: Sendable {
    public static let registryName = "registry"
    public static let issuanceName = "issuance"
    public static let transferName = "transfer"

    public var registry: FeedFollower<Recs_Registry_V1_Event>.Fetch
    public var issuance: FeedFollower<Recs_Issuance_V1_Event>.Fetch
    public var transfer: FeedFollower<Recs_Transfer_V1_Event>.Fetch
    /// Releases what the fetches hold (the peers' connections).
    public var close: @Sendable () async -> Void

    public init(
        registry: @escaping FeedFollower<Recs_Registry_V1_Event>.Fetch,
        issuance: @escaping FeedFollower<Recs_Issuance_V1_Event>.Fetch,
        transfer: @escaping FeedFollower<Recs_Transfer_V1_Event>.Fetch,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.registry = registry
        self.issuance = issuance
        self.transfer = transfer
        self.close = close
    }

    /// The three services' `ListEvents` over these clients; `close` closes the clients.
    public static func remote(registry: RPCClient, issuance: RPCClient, transfer: RPCClient) -> ReportingFeeds {
        let registryClient = Recs_Registry_V1_RegistryServiceClient(registry)
        let issuanceClient = Recs_Issuance_V1_IssuanceServiceClient(issuance)
        let transferClient = Recs_Transfer_V1_TransferServiceClient(transfer)
        return ReportingFeeds(
            registry: { after, limit in
                var request = Recs_Registry_V1_ListEventsRequest()
                request.afterSequence = after
                request.limit = limit
                let response = try await registryClient.listEvents(request)
                return (response.events, response.lastSequence)
            },
            issuance: { after, limit in
                var request = Recs_Issuance_V1_ListEventsRequest()
                request.afterSequence = after
                request.limit = limit
                let response = try await issuanceClient.listEvents(request)
                return (response.events, response.lastSequence)
            },
            transfer: { after, limit in
                var request = Recs_Transfer_V1_ListEventsRequest()
                request.afterSequence = after
                request.limit = limit
                let response = try await transferClient.listEvents(request)
                return (response.events, response.lastSequence)
            },
            close: {
                await registry.close()
                await issuance.close()
                await transfer.close()
            })
    }
}

/// The newest sequence each producer reported on its last answer (`last_known_sequence`,
/// GetFeedPositions). Kept in memory: it is a hint of how far behind the read models are, not data.
final class FeedHorizon: Sendable {
    private let newest = Mutex<[String: Int64]>([:])

    func saw(_ sequence: Int64, in feed: String) {
        newest.withLock { $0[feed] = max($0[feed] ?? 0, sequence) }
    }

    func newest(of feed: String) -> Int64 { newest.withLock { $0[feed] ?? 0 } }

    /// `fetch`, noting the producer's newest sequence on the way.
    func watching<Event>(_ feed: String, _ fetch: @escaping FeedFollower<Event>.Fetch) -> FeedFollower<Event>.Fetch {
        { [self] after, limit in
            let page = try await fetch(after, limit)
            saw(page.lastSequence, in: feed)
            return page
        }
    }
}

/// The three followers of reporting, each applying its feed to the read models (``ReadModels``).
public struct ReportingFollowers: Sendable {
    public let registry: FeedFollower<Recs_Registry_V1_Event>
    public let issuance: FeedFollower<Recs_Issuance_V1_Event>
    public let transfer: FeedFollower<Recs_Transfer_V1_Event>
    let horizon: FeedHorizon

    init(database: any Database, feeds: ReportingFeeds, logger: Logger) {
        let horizon = FeedHorizon()
        self.horizon = horizon
        registry = FeedFollower(
            feed: ReportingFeeds.registryName, database: database, logger: logger,
            fetch: horizon.watching(ReportingFeeds.registryName, feeds.registry), sequence: { $0.sequence },
            apply: { sql, event in try ReadModels.apply(event, &sql) })
        issuance = FeedFollower(
            feed: ReportingFeeds.issuanceName, database: database, logger: logger,
            fetch: horizon.watching(ReportingFeeds.issuanceName, feeds.issuance), sequence: { $0.sequence },
            apply: { sql, event in try ReadModels.apply(event, &sql) })
        transfer = FeedFollower(
            feed: ReportingFeeds.transferName, database: database, logger: logger,
            fetch: horizon.watching(ReportingFeeds.transferName, feeds.transfer), sequence: { $0.sequence },
            apply: { sql, event in try ReadModels.apply(event, &sql) })
    }

    /// Catches up every feed once, in turn (tests; the executable runs ``FeedFollower/run(every:)``).
    public func catchUp() async throws {
        try await registry.catchUp()
        try await issuance.catchUp()
        try await transfer.catchUp()
    }

    /// Each follower polling its feed every `interval`, for background tasks.
    public func polling(every interval: Duration) -> [@Sendable () async -> Void] {
        let registry = self.registry
        let issuance = self.issuance
        let transfer = self.transfer
        return [
            { await registry.run(every: interval) },
            { await issuance.run(every: interval) },
            { await transfer.run(every: interval) },
        ]
    }
}
