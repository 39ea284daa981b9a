import Domain
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
    /// The service's one clock (ADR 0007).
    public let clock: ServiceClock
    /// §12.2: the cycles that run by themselves on their cycle dates.
    let cycles: AutomaticCycles

    /// Runs the cycles that fell due by now (the executable calls it periodically; a simulated
    /// clock runs them as it is advanced).
    public func runDueCycles() async throws -> [String] {
        try await cycles.run(at: clock.now())
    }

    /// What an upload request holds beside its file: request id, reporter, file name, field tags.
    static let uploadRequestOverheadBytesMax = 64 * 1_024

    /// Migrates `database` and prepares (does not start) the server.
    ///
    /// - Parameters:
    ///   - registry: reads a page of the registry's event feed (``RegistryFeed/client(_:)``).
    ///   - transfer: deposits batches (``TransferDepositor``).
    ///   - clock: the service's time: upload days, cycle eligibility, timestamps.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, registry: @escaping RegistryFeed.Fetch,
        transfer: any CertificateDepositor, access: ServiceAccess, logger: Logger, clock: ServiceClock = ServiceClock()
    ) async throws -> IssuanceApplication {
        let store = IssuanceStore(database: database, clock: clock)
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("issuance schema migrated", metadata: ["applied": "\(applied)"]) }
        let follower = RegistryFeed.follower(database: database, fetch: registry, logger: logger)
        let deposits = DepositQueue(store: store, depositor: transfer, logger: logger, clock: clock.read)
        let service = IssuanceService(store: store, registry: follower, deposits: deposits, logger: logger, clock: clock.read)
        let cycles = AutomaticCycles(service: service)
        let testClock = try await ServiceAccess.clockServices(clock, work: cycles, journal: store.journal)
        let directory = PrincipalDirectory()
        try await directory.refresh(from: database)
        let principalFeed = PrincipalFeed.follower(database: database, directory: directory, logger: logger, fetch: registry)
        // docs/API.md, Limits: a generation file of up to 8 MiB is the service's to judge (rule 401
        // beyond), so the wire takes a message that size plus the request's other fields; the
        // 4 MiB default answered RESOURCE_EXHAUSTED to documented uploads (issue 8).
        var configuration = configuration
        configuration.limits.wire.receiveMessageBytesMax = max(
            configuration.limits.wire.receiveMessageBytesMax, Limits.uploadBytesMax + uploadRequestOverheadBytesMax)
        let server = StandardServer(
            configuration: configuration, services: [RequestLimitChecker.limiting(service)] + testClock.services,
            interceptor: access.interceptor(
                directory: directory, rules: [IssuanceService.accessRules] + testClock.rules, principals: principalFeed),
            logger: logger)
        return IssuanceApplication(
            store: store, service: service, server: server, registryFollower: follower, deposits: deposits,
            principalFeed: principalFeed, directory: directory, clock: clock, cycles: cycles)
    }

    /// Opens the service's database (`<data-dir>/issuance.sqlite` or PostgreSQL), then `build`.
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, registry: @escaping RegistryFeed.Fetch,
        transfer: any CertificateDepositor, access: ServiceAccess, logger: Logger, clock: ServiceClock = ServiceClock()
    ) async throws -> IssuanceApplication {
        try await storage.openMeasured(service: "issuance") { database in
            try await build(
                database: database, server: configuration, registry: registry, transfer: transfer, access: access,
                logger: logger, clock: clock)
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
