import Foundation
import ServiceKit
import Logging
import RPC
import StandardServices
import Storage

/// The registry as one buildable thing: its database (migrated), then its server (RegistryService
/// plus health and reflection). The executable builds it from its configuration; tests build the
/// same thing in process on port 0.
public struct RegistryApplication: ServiceApplication {
    public let repository: RegistryRepository
    public let server: StandardServer

    /// How the registry knows its callers (ADR 0006).
    public struct Access: Sendable {
        /// Where the first start writes the administrator's key (`admin-api-key`); nil: no
        /// administrator is created (tests that make their own).
        public var keyDirectory: URL?
        /// Whether calls are checked, and which certificates name services or partner systems.
        public var checks: ServiceAccess
        /// Issue a new administrator key into `keyDirectory` (`--issue-admin-key`, recovery of a lost one).
        public var issueAdministratorKey: Bool

        public init(keyDirectory: URL?, checks: ServiceAccess, issueAdministratorKey: Bool = false) {
            self.keyDirectory = keyDirectory
            self.checks = checks
            self.issueAdministratorKey = issueAdministratorKey
        }
    }

    /// Migrates `database`, creates the administrator on first start, and prepares (does not
    /// start) the server.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, access: Access, logger: Logger,
        clock: ServiceClock = ServiceClock()
    ) async throws -> RegistryApplication {
        let repository = RegistryRepository(database: database, clock: clock)
        let applied = try await repository.migrate()
        if !applied.isEmpty { logger.info("registry schema migrated", metadata: ["applied": "\(applied)"]) }
        if let keyDirectory = access.keyDirectory {
            let created = try await AdministratorBootstrap.run(
                journal: repository.journal, keyDirectory: keyDirectory, now: clock.now(), logger: logger)
            if access.issueAdministratorKey, created == nil {
                try await AdministratorBootstrap.issueRecoveryKey(
                    journal: repository.journal, keyDirectory: keyDirectory, now: clock.now(), logger: logger)
            }
        }
        let directory = PrincipalDirectory()
        try await directory.refresh(from: database)
        let service = RegistryService(repository: repository, directory: directory, logger: logger)
        let testClock = try await ServiceAccess.clockServices(clock, work: NoDueWork(), journal: repository.journal)
        let interceptor = access.checks.interceptor(directory: directory, rules: [RegistryService.accessRules] + testClock.rules)
        let server = StandardServer(
            configuration: configuration, services: [RequestLimitChecker.limiting(service)] + testClock.services, interceptor: interceptor, logger: logger)
        return RegistryApplication(repository: repository, server: server)
    }

    /// Opens the registry's database (`<data-dir>/registry.sqlite` or PostgreSQL), then `build`.
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, access: Access, logger: Logger,
        clock: ServiceClock = ServiceClock()
    ) async throws -> RegistryApplication {
        try await storage.openMeasured(service: "registry") { database in
            try await build(database: database, server: configuration, access: access, logger: logger, clock: clock)
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
        await repository.close()
    }
}
