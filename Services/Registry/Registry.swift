import ArgumentParser
import Foundation
import Logging
import RPC
import RegistryCore
import StandardServices
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The registry service: organizations, accounts and subaccounts, generating units (docs/API.md).
@main
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Serves recs.registry.v1.RegistryService, plus health and reflection.",
        discussion: """
            Every option can also be given by an environment variable (the option wins):
              RECS_REGISTRY_PORT, RECS_REGISTRY_HOST, RECS_DATA_DIR, RECS_REGISTRY_DATABASE_URL,
              RECS_REGISTRY_TLS (1 or true), RECS_REGISTRY_TLS_CERT, RECS_REGISTRY_TLS_KEY, RECS_REGISTRY_CLIENT_CA.
            Data: SQLite in DIR/registry.sqlite, or PostgreSQL when a database URL is given.
            """)

    static let environment = ProcessInfo.processInfo.environment

    @Option(help: "Port to listen on; 0 picks a free one. [env: RECS_REGISTRY_PORT]")
    var port: Int = Int(environment["RECS_REGISTRY_PORT"] ?? "") ?? 50061

    @Option(help: "Address to bind. [env: RECS_REGISTRY_HOST]")
    var host: String = environment["RECS_REGISTRY_HOST"] ?? "127.0.0.1"

    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite database registry.sqlite. [env: RECS_DATA_DIR]")
    var dataDirectory: String = environment["RECS_DATA_DIR"] ?? "data"

    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL (postgresql://...); replaces --data-dir. [env: RECS_REGISTRY_DATABASE_URL]")
    var databaseURL: String = environment["RECS_REGISTRY_DATABASE_URL"] ?? ""

    @Flag(help: "Serve TLS (ALPN h2) instead of cleartext h2c. [env: RECS_REGISTRY_TLS]")
    var tls = ["1", "true", "yes"].contains((environment["RECS_REGISTRY_TLS"] ?? "").lowercased())

    @Option(help: "PEM certificate chain (with --tls). [env: RECS_REGISTRY_TLS_CERT]")
    var cert: String = environment["RECS_REGISTRY_TLS_CERT"] ?? ""

    @Option(help: "PEM private key (with --tls). [env: RECS_REGISTRY_TLS_KEY]")
    var key: String = environment["RECS_REGISTRY_TLS_KEY"] ?? ""

    @Option(
        name: .customLong("client-ca"),
        help: "PEM CA for client certificates: requires mutual TLS. [env: RECS_REGISTRY_CLIENT_CA]")
    var clientCA: String = environment["RECS_REGISTRY_CLIENT_CA"] ?? ""

    func validate() throws {
        if !(0...65_535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if tls, cert.isEmpty || key.isEmpty { throw ValidationError("--tls needs --cert and --key") }
        if !tls, !cert.isEmpty || !key.isEmpty || !clientCA.isEmpty {
            throw ValidationError("--cert, --key and --client-ca need --tls")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "registry")
        logger.logLevel = .info

        let storage = try StorageConfiguration(databaseURL: databaseURL, dataDirectory: dataDirectory)
        if case .sqlite(let directory) = storage {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let tlsConfiguration =
            tls
            ? ServerTLSConfiguration(
                certificateChainPath: cert, privateKeyPath: key, clientCAPath: clientCA.isEmpty ? nil : clientCA) : nil
        let application = try await RegistryApplication.build(
            storage: storage, server: ServerConfiguration(host: host, port: port, tls: tlsConfiguration), logger: logger)
        logger.info("registry database ready", metadata: ["database": "\(application.repository.database.dialect)"])
        let boundPort = try await application.start()
        print("registry listening on \(boundPort)")
        fflush(nil)
        logger.info("registry listening", metadata: ["host": "\(host)", "port": "\(boundPort)", "tls": "\(tls)"])

        let signals = SignalWatcher()
        let signal = await signals.waitForTermination()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await application.shutdown()
        logger.info("stopped")
    }
}
