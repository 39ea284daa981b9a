import Foundation
import GRPCWire
import Logging
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import Storage

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
        ReportingFeeds(
            registry: FeedSources.registry(registry), issuance: FeedSources.issuance(issuance),
            transfer: FeedSources.transfer(transfer),
            close: {
                await registry.close()
                await issuance.close()
                await transfer.close()
            })
    }
}

/// The three followers of reporting, each applying its feed to the read models (``ReadModels``).
public struct ReportingFollowers: Sendable {
    public let registry: FeedFollower<Recs_Registry_V1_Event>
    public let issuance: FeedFollower<Recs_Issuance_V1_Event>
    public let transfer: FeedFollower<Recs_Transfer_V1_Event>
    /// The registry's organizations, logins and keys: who may call reporting (ADR 0006).
    public let principals: FeedFollower<Recs_Registry_V1_Event>

    init(database: any Database, feeds: ReportingFeeds, directory: PrincipalDirectory, logger: Logger) {
        registry = FeedFollower(
            feed: ReportingFeeds.registryName, database: database, logger: logger,
            fetch: feeds.registry, sequence: { $0.sequence },
            apply: { sql, event in try ReadModels.apply(event, &sql) })
        issuance = FeedFollower(
            feed: ReportingFeeds.issuanceName, database: database, logger: logger,
            fetch: feeds.issuance, sequence: { $0.sequence },
            apply: { sql, event in try ReadModels.apply(event, &sql) })
        transfer = FeedFollower(
            feed: ReportingFeeds.transferName, database: database, logger: logger,
            fetch: feeds.transfer, sequence: { $0.sequence },
            apply: { sql, event in try ReadModels.apply(event, &sql) })
        principals = PrincipalFeed.follower(database: database, directory: directory, logger: logger, fetch: feeds.registry)
    }

    /// Catches up every feed once, in turn (tests; the executable runs each as background work, ``all``).
    public func catchUp() async throws {
        try await registry.catchUp()
        try await issuance.catchUp()
        try await transfer.catchUp()
        try await principals.catchUp()
    }

    /// The newest sequence the producer of `feed` reported on its last answer (0 before one):
    /// a hint of how far behind the read models are, kept in memory.
    func lastKnownSequence(of feed: String) -> Int64 {
        switch feed {
        case ReportingFeeds.registryName: registry.lastKnownSequence
        case ReportingFeeds.issuanceName: issuance.lastKnownSequence
        default: transfer.lastKnownSequence
        }
    }

    /// Each follower by name, for the executable's background work.
    public var all: [(name: String, catchUp: @Sendable () async throws -> Void)] {
        let (registry, issuance, transfer, principals) = (self.registry, self.issuance, self.transfer, self.principals)
        return [
            ("registry feed", { _ = try await registry.catchUp() }),
            ("issuance feed", { _ = try await issuance.catchUp() }),
            ("transfer feed", { _ = try await transfer.catchUp() }),
            ("registry callers", { _ = try await principals.catchUp() }),
        ]
    }
}
