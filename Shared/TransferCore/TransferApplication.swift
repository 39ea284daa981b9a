import Foundation
import Logging
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

    /// Migrates `database` and prepares (does not start) the server. `registryEvents` reads the
    /// registry's feed (its ListEvents); without it subaccounts must be registered directly.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }, registryEvents: RegistryFeed.Follower.Fetch? = nil
    ) async throws -> TransferApplication {
        let store = TransferStore(database: database)
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("transfer schema migrated", metadata: ["applied": "\(applied)"]) }
        let registryFeed = registryEvents.map { RegistryFeed.follower(database: database, logger: logger, fetch: $0) }
        let service = TransferService(store: store, logger: logger, clock: clock, registryFeed: registryFeed)
        let server = StandardServer(configuration: configuration, services: [service], logger: logger)
        return TransferApplication(store: store, service: service, server: server, registryFeed: registryFeed)
    }

    /// Opens the service's database (`<data-dir>/transfer.sqlite` or PostgreSQL), then `build`.
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, logger: Logger,
        registryEvents: RegistryFeed.Follower.Fetch? = nil
    ) async throws -> TransferApplication {
        try await storage.open(service: "transfer") { database in
            try await build(database: database, server: configuration, logger: logger, registryEvents: registryEvents)
        }
    }

    /// Starts serving; returns the bound port.
    public func start() async throws -> Int {
        try await server.server.start()
    }

    /// Marks the services NOT_SERVING, drains the server gracefully, then closes the database.
    public func shutdown() async {
        await server.shutdown()
        await store.close()
    }
}
