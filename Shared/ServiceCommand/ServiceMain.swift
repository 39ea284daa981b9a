import Foundation
import Logging
import RPC
import ServiceKit
import ServiceLifecycle
import StandardServices
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The life of a service process: log to stderr with swift-log, build the application, start it,
/// print "`<name>` listening on `<port>`" on stdout (scripts and tests wait for that line), run the
/// background work (feed followers, sweeps), and on SIGTERM or SIGINT stop the background work and
/// shut down gracefully.
public enum ServiceMain {
    public static func run<Service: ServiceIdentity, Application: ServiceApplication>(
        _ options: ServiceOptions<Service>,
        build: (StorageConfiguration, ServerConfiguration, Logger) async throws -> Application,
        background: (Application, Logger) -> [BackgroundWork] = { _, _ in [] }
    ) async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: Service.name)
        logger.logLevel = .info

        let storage = try options.storage()
        if case .sqlite(let directory) = storage {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let application = try await build(storage, options.server, logger)
        let database: String =
            switch storage {
            case .sqlite(let directory): "sqlite \(directory)/\(Service.name).sqlite"
            case .postgres: "postgresql"
            }
        logger.info("\(Service.name) database ready", metadata: ["database": "\(database)"])
        let boundPort: Int
        do {
            boundPort = try await application.start()
        } catch {
            await application.shutdown()
            throw error
        }
        print("\(Service.name) listening on \(boundPort)")
        fflush(nil)
        logger.info(
            "\(Service.name) listening", metadata: ["host": "\(options.host)", "port": "\(boundPort)", "tls": "\(options.tls)"])

        // swift-service-lifecycle runs the background work and, on SIGTERM or SIGINT, stops it
        // first (services stop in reverse order), then the server drains and closes.
        let health = BackgroundHealth { healthy in application.setServing(healthy) }
        let loops = background(application, logger).map { BackgroundLoop(work: $0, health: health, logger: logger) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: ApplicationService(application: application))]
                    + loops.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
