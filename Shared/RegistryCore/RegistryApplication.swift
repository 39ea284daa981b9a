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

    /// Migrates `database` and prepares (does not start) the server.
    public static func build(
        database: any Database, server configuration: ServerConfiguration, logger: Logger
    ) async throws -> RegistryApplication {
        let repository = RegistryRepository(database: database)
        let applied = try await repository.migrate()
        if !applied.isEmpty { logger.info("registry schema migrated", metadata: ["applied": "\(applied)"]) }
        let server = StandardServer(
            configuration: configuration, services: [RegistryService(repository: repository, logger: logger)], logger: logger)
        return RegistryApplication(repository: repository, server: server)
    }

    /// Opens the registry's database (`<data-dir>/registry.sqlite` or PostgreSQL), then `build`.
    public static func build(
        storage: StorageConfiguration, server configuration: ServerConfiguration, logger: Logger
    ) async throws -> RegistryApplication {
        try await storage.open(service: "registry") { database in
            try await build(database: database, server: configuration, logger: logger)
        }
    }

    /// Starts serving; returns the bound port.
    public func start() async throws -> Int {
        try await server.server.start()
    }

    /// Marks the services NOT_SERVING, drains the server gracefully, then closes the database.
    public func shutdown() async {
        await server.shutdown()
        await repository.close()
    }
}
