import CoreMetrics
import Foundation
import Logging
import Prometheus
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

        // Metrics first: swift-metrics binds each metric to the factory in place when it is made,
        // so the system is bootstrapped before anything records.
        var serverConfiguration = options.server
        let metrics = options.metricsPort.map { port in
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusCatalogFactory(registry: registry))
            serverConfiguration.callObserver = RPCMetrics()
            return MetricsEndpoint(host: options.metricsHost, port: port, registry: registry, logger: logger)
        }

        let storage = try options.storage()
        if case .sqlite(let directory) = storage {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let application = try await build(storage, serverConfiguration, logger)
        let database: String =
            switch storage {
            case .sqlite(let directory): "sqlite \(directory)/\(Service.name).sqlite"
            case .postgres: "postgresql"
            }
        logger.info("\(Service.name) database ready", metadata: ["database": "\(database)"])
        let boundPort: Int
        let metricsPort: Int?
        do {
            metricsPort = try await metrics?.start()
            boundPort = try await application.start()
        } catch {
            await metrics?.shutdown()
            await application.shutdown()
            throw error
        }
        print("\(Service.name) listening on \(boundPort)")
        if let metricsPort { print("\(Service.name) metrics on \(metricsPort)") }
        fflush(nil)
        logger.info(
            "\(Service.name) listening", metadata: ["host": "\(options.host)", "port": "\(boundPort)", "tls": "\(options.tls)"])
        if let metricsPort {
            logger.info(
                "\(Service.name) metrics at http://\(options.metricsHost):\(metricsPort)/metrics",
                metadata: ["host": "\(options.metricsHost)", "port": "\(metricsPort)"])
        }

        // swift-service-lifecycle runs the background work and, on SIGTERM or SIGINT, stops it
        // first (services stop in reverse order), then the server drains and closes.
        let health = BackgroundHealth { healthy in application.setServing(healthy) }
        let loops = background(application, logger).map { BackgroundLoop(work: $0, health: health, logger: logger) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: (metrics.map { [.init(service: MetricsEndpointService(endpoint: $0))] } ?? [])
                    + [.init(service: ApplicationService(application: application))]
                    + loops.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
