import Foundation
import Logging
import ProtoMessages
import RPC
import StandardServices
import ServiceKit
import Storage

/// The transfer service as one buildable thing: its database (ledger and transfer tables, migrated),
/// then its server (TransferService plus health and reflection). The executable builds it from its
/// configuration; tests build the same thing in process on port 0.
public struct TransferApplication: ServiceApplication {
    public let store: TransferStore
    public let service: TransferService
    public let server: StandardServer
    /// Follows the registry's feed of subaccounts; nil when built without one (tests).
    public let registryFeed: RegistryFeed.Follower?
    /// Follows the registry's feed of organizations, logins and keys into ``directory``; nil
    /// when built without the feed.
    public let principalFeed: FeedFollower<Recs_Registry_V1_Event>?
    /// Who may call, as the registry published it.
    public let directory: PrincipalDirectory

    /// Migrates `database` and prepares (does not start) the server. `registryEvents` reads the
    /// registry's feed (its ListEvents); without it subaccounts and callers must be registered
    /// directly.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, access: ServiceAccess, logger: Logger,
        clock: ServiceClock = ServiceClock(), registryEvents: RegistryFeed.Follower.Fetch? = nil
    ) async throws -> TransferApplication {
        let store = TransferStore(database: database, clock: clock)
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("transfer schema migrated", metadata: ["applied": "\(applied)"]) }
        let registryFeed = registryEvents.map { RegistryFeed.follower(database: database, logger: logger, fetch: $0) }
        let directory = PrincipalDirectory()
        try await directory.refresh(from: database)
        let principalFeed = registryEvents.map {
            PrincipalFeed.follower(database: database, directory: directory, logger: logger, fetch: $0)
        }
        let service = TransferService(store: store, logger: logger, clock: clock.read, registryFeed: registryFeed)
        let testClock = try await ServiceAccess.clockServices(clock, work: TransferDueWork(service: service), journal: store.journal)
        let server = StandardServer(
            configuration: configuration, services: [RequestLimitChecker.limiting(service)] + testClock.services,
            interceptor: access.interceptor(
                directory: directory, rules: [TransferService.accessRules] + testClock.rules, principals: principalFeed),
            logger: logger)
        return TransferApplication(
            store: store, service: service, server: server, registryFeed: registryFeed, principalFeed: principalFeed,
            directory: directory)
    }

    /// Opens the service's database (`<data-dir>/transfer.sqlite` or PostgreSQL), then `build`.
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, access: ServiceAccess, logger: Logger,
        clock: ServiceClock = ServiceClock(), registryEvents: RegistryFeed.Follower.Fetch? = nil
    ) async throws -> TransferApplication {
        try await storage.openMeasured(service: "transfer") { database in
            try await build(
                database: database, server: configuration, access: access, logger: logger, clock: clock, registryEvents: registryEvents)
        }
    }

    /// Reflects the background work in health (the executables' service group).
    public func setServing(_ serving: Bool) {
        server.setServing(serving)
    }

    /// Starts serving; returns the bound port.
    public func start() async throws -> Int {
        try await server.server.start()
    }

    /// Marks the services NOT_SERVING, refuses new calls and drains the calls in flight.
    public func stopServing() async {
        await server.shutdown()
    }

    /// Closes the database (after the background work stopped).
    public func close() async {
        await store.close()
    }
}
