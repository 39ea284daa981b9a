import Foundation
import Logging
import ProtoMessages
import RPC
import ServiceKit
import StandardServices
import Storage

/// The issuance service as one buildable thing: its database (migrated), the registry feed it
/// follows, the deposit queue to transfer, then its server (IssuanceService plus health and
/// reflection). The executable builds it with clients of the real peers; tests build the same thing
/// in process on port 0 with an in-memory registry feed and a fake depositor.
public struct IssuanceApplication: ServiceApplication {
    public let store: IssuanceStore
    public let service: IssuanceService
    public let server: StandardServer
    /// Follows the registry's event feed into the `units` and `organizations` tables.
    public let registryFollower: FeedFollower<Recs_Registry_V1_Event>
    /// Deposits issued batches through transfer.
    public let deposits: DepositQueue
    /// Follows the registry's feed of organizations, logins and keys into ``directory``.
    public let principalFeed: FeedFollower<Recs_Registry_V1_Event>
    /// Who may call, as the registry published it.
    public let directory: PrincipalDirectory

    /// Migrates `database` and prepares (does not start) the server.
    ///
    /// - Parameters:
    ///   - registry: reads a page of the registry's event feed (``RegistryFeed/client(_:)``).
    ///   - transfer: deposits batches (``TransferDepositor``).
    ///   - clock: the service's time: upload days, cycle eligibility, timestamps.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, registry: @escaping RegistryFeed.Fetch,
        transfer: any CertificateDepositor, access: ServiceAccess, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> IssuanceApplication {
        let store = IssuanceStore(database: database)
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("issuance schema migrated", metadata: ["applied": "\(applied)"]) }
        let follower = RegistryFeed.follower(database: database, fetch: registry, logger: logger)
        let deposits = DepositQueue(store: store, depositor: transfer, logger: logger, clock: clock)
        let service = IssuanceService(store: store, registry: follower, deposits: deposits, logger: logger, clock: clock)
        let directory = PrincipalDirectory()
        try await directory.refresh(from: database)
        let principalFeed = PrincipalFeed.follower(database: database, directory: directory, logger: logger, fetch: registry)
        let server = StandardServer(
            configuration: configuration, services: [service],
            interceptor: access.interceptor(directory: directory, rules: [IssuanceService.accessRules]), logger: logger)
        return IssuanceApplication(
            store: store, service: service, server: server, registryFollower: follower, deposits: deposits,
            principalFeed: principalFeed, directory: directory)
    }

    /// Opens the service's database (`<data-dir>/issuance.sqlite` or PostgreSQL), then `build`.
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, registry: @escaping RegistryFeed.Fetch,
        transfer: any CertificateDepositor, access: ServiceAccess, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> IssuanceApplication {
        try await storage.open(service: "issuance") { database in
            try await build(
                database: database, server: configuration, registry: registry, transfer: transfer, access: access,
                logger: logger, clock: clock)
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
