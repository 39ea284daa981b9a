import Logging
import RPC
import ServiceKit
import StandardServices
import Storage

/// Reporting as one buildable thing: its database (migrated), its three feed followers, and its
/// server (ReportingService plus health and reflection). The executable builds it from its
/// configuration and runs the followers in the background; tests build the same thing in process
/// with hand-built feeds and call ``ReportingFollowers/catchUp()`` themselves.
public struct ReportingApplication: ServiceApplication {
    public let store: ReportingStore
    public let followers: ReportingFollowers
    public let server: StandardServer
    let feeds: ReportingFeeds
    /// Who may call, as the registry published it (kept by ``ReportingFollowers/principals``).
    public let directory: PrincipalDirectory

    /// Migrates `database` and prepares (does not start) the server and the followers.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, feeds: ReportingFeeds, access: ServiceAccess,
        logger: Logger, clock: ServiceClock = ServiceClock()
    ) async throws -> ReportingApplication {
        let store = ReportingStore(database: database, clock: clock)
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("reporting schema migrated", metadata: ["applied": "\(applied)"]) }
        let directory = PrincipalDirectory()
        try await directory.refresh(from: database)
        let followers = ReportingFollowers(database: database, feeds: feeds, directory: directory, logger: logger)
        let service = ReportingService(store: store, followers: followers, logger: logger)
        let testClock = try await ServiceAccess.clockServices(clock, work: NoDueWork(), journal: store.journal)
        let server = StandardServer(
            configuration: configuration, services: [RequestLimitChecker.limiting(service)] + testClock.services,
            interceptor: access.interceptor(
                directory: directory, rules: [ReportingService.accessRules] + testClock.rules, principals: followers.principals),
            logger: logger)
        return ReportingApplication(store: store, followers: followers, server: server, feeds: feeds, directory: directory)
    }

    /// Opens reporting's database (`<data-dir>/reporting.sqlite` or PostgreSQL), then `build`; owns
    /// `feeds` from here on (closes them on failure and at shutdown).
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, feeds: ReportingFeeds, access: ServiceAccess,
        logger: Logger, clock: ServiceClock = ServiceClock()
    ) async throws -> ReportingApplication {
        do {
            return try await storage.openMeasured(service: "reporting") { database in
                try await build(database: database, server: configuration, feeds: feeds, access: access, logger: logger, clock: clock)
            }
        } catch {
            await feeds.close()
            throw error
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

    /// Closes the peers' connections, then the database (after the followers stopped).
    public func close() async {
        await feeds.close()
        await store.close()
    }
}
