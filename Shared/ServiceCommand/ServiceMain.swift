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

/// How long a service's stop on SIGTERM may take, from the signal to the database's close.
public enum ServiceStop {
    /// Background work still running when the server has drained gets this long to finish its run
    /// before it is cancelled.
    public static let backgroundGraceMilliseconds: Int64 = 2_000

    /// The whole stop: the server's grace for calls in flight plus the background work's grace
    /// (7 s with the default limits). Past it, swift-service-lifecycle cancels what still runs
    /// (a backstop: each part already ends what outlives its own grace).
    public static func graceMilliseconds(_ limits: ServerLimits) -> Int64 {
        limits.shutdownGraceMilliseconds + backgroundGraceMilliseconds
    }
}

/// The life of a service process: log to stderr with swift-log, build the application, start it,
/// print "`<name>` listening on `<port>`" on stdout (scripts and tests wait for that line), run the
/// background work (feed followers, sweeps), and on SIGTERM or SIGINT stop in this order:
///
/// 1. the server: NOT_SERVING, the listener closes and every connection gets GOAWAY, so new calls
///    are refused at once (clients see UNAVAILABLE and go elsewhere); calls in flight finish, for
///    at most `ServerLimits.shutdownGraceMilliseconds`, then are ended with UNAVAILABLE;
/// 2. the background work: a loop between runs stops at once, a run in progress may finish within
///    ``ServiceStop/backgroundGraceMilliseconds`` and is then cancelled;
/// 3. the metrics endpoint;
/// 4. the connections to peers and the database (`ServiceApplication.close`).
///
/// Steps 1 to 3 together take at most ``ServiceStop/graceMilliseconds(_:)``; past it the group
/// cancels what still runs.
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

        // swift-service-lifecycle shuts the services of a group down one after another in reverse
        // order: the application is last in the list so that it stops serving first, while the
        // background work still has its database; the metrics endpoint goes last of all.
        let health = BackgroundHealth { healthy in application.setServing(healthy) }
        let loops = background(application, logger).map { BackgroundLoop(work: $0, health: health, logger: logger) }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let metrics { services.append(.init(service: MetricsEndpointService(endpoint: metrics))) }
        if !loops.isEmpty {
            services.append(.init(service: BackgroundLoops(loops: loops), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        services.append(.init(service: ApplicationService(application: application)))
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(ServiceStop.graceMilliseconds(serverConfiguration.limits))
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            await application.close()
            throw error
        }
        await application.close()
        logger.info("stopped")
    }
}
