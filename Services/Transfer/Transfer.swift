import ArgumentParser
import Foundation
import Logging
import RPC
import TransferCore
import StandardServices
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The transfer service: deposits, inter-account transfers, retirement, event feed (docs/API.md).
@main
struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Serves recs.transfer.v1.TransferService, plus health and reflection.",
        discussion: """
            Every option can also be given by an environment variable (the option wins):
              RECS_TRANSFER_PORT, RECS_TRANSFER_HOST, RECS_DATA_DIR, RECS_TRANSFER_DATABASE_URL,
              RECS_TRANSFER_TLS (1 or true), RECS_TRANSFER_TLS_CERT, RECS_TRANSFER_TLS_KEY, RECS_TRANSFER_CLIENT_CA,
              RECS_TRANSFER_EXPIRY_SWEEP_SECONDS.
            Data: SQLite in DIR/transfer.sqlite, or PostgreSQL when a database URL is given.
            """)

    static let environment = ProcessInfo.processInfo.environment

    @Option(help: "Port to listen on; 0 picks a free one. [env: RECS_TRANSFER_PORT]")
    var port: Int = Int(environment["RECS_TRANSFER_PORT"] ?? "") ?? 50063

    @Option(help: "Address to bind. [env: RECS_TRANSFER_HOST]")
    var host: String = environment["RECS_TRANSFER_HOST"] ?? "127.0.0.1"

    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite database transfer.sqlite. [env: RECS_DATA_DIR]")
    var dataDirectory: String = environment["RECS_DATA_DIR"] ?? "data"

    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL (postgresql://...); replaces --data-dir. [env: RECS_TRANSFER_DATABASE_URL]")
    var databaseURL: String = environment["RECS_TRANSFER_DATABASE_URL"] ?? ""

    @Flag(help: "Serve TLS (ALPN h2) instead of cleartext h2c. [env: RECS_TRANSFER_TLS]")
    var tls = ["1", "true", "yes"].contains((environment["RECS_TRANSFER_TLS"] ?? "").lowercased())

    @Option(help: "PEM certificate chain (with --tls). [env: RECS_TRANSFER_TLS_CERT]")
    var cert: String = environment["RECS_TRANSFER_TLS_CERT"] ?? ""

    @Option(help: "PEM private key (with --tls). [env: RECS_TRANSFER_TLS_KEY]")
    var key: String = environment["RECS_TRANSFER_TLS_KEY"] ?? ""

    @Option(
        name: .customLong("client-ca"),
        help: "PEM CA for client certificates: requires mutual TLS. [env: RECS_TRANSFER_CLIENT_CA]")
    var clientCA: String = environment["RECS_TRANSFER_CLIENT_CA"] ?? ""

    @Option(
        name: .customLong("expiry-sweep-seconds"),
        help: "Seconds between sweeps that expire 14-day-old pending transfers (§15.2, §15.3). [env: RECS_TRANSFER_EXPIRY_SWEEP_SECONDS]")
    var expirySweepSeconds: Int = Int(environment["RECS_TRANSFER_EXPIRY_SWEEP_SECONDS"] ?? "") ?? 60

    func validate() throws {
        if expirySweepSeconds < 1 { throw ValidationError("--expiry-sweep-seconds must be at least 1") }
        if !(0...65_535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if tls, cert.isEmpty || key.isEmpty { throw ValidationError("--tls needs --cert and --key") }
        if !tls, !cert.isEmpty || !key.isEmpty || !clientCA.isEmpty {
            throw ValidationError("--cert, --key and --client-ca need --tls")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "transfer")
        logger.logLevel = .info

        let storage = try StorageConfiguration(databaseURL: databaseURL, dataDirectory: dataDirectory)
        if case .sqlite(let directory) = storage {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let tlsConfiguration =
            tls
            ? ServerTLSConfiguration(
                certificateChainPath: cert, privateKeyPath: key, clientCAPath: clientCA.isEmpty ? nil : clientCA) : nil
        let application = try await TransferApplication.build(
            storage: storage, server: ServerConfiguration(host: host, port: port, tls: tlsConfiguration), logger: logger)
        logger.info("transfer database ready", metadata: ["database": "\(application.store.database.dialect)"])
        let boundPort = try await application.start()
        print("transfer listening on \(boundPort)")
        fflush(nil)
        logger.info("transfer listening", metadata: ["host": "\(host)", "port": "\(boundPort)", "tls": "\(tls)"])

        let service = application.service
        let interval = expirySweepSeconds
        let sweepLogger = logger
        let sweep = Task {
            while !Task.isCancelled {
                do {
                    let expired = try await service.expirePendingTransfers(now: Date())
                    if !expired.isEmpty { sweepLogger.info("transfers expired", metadata: ["count": "\(expired.count)"]) }
                } catch {
                    sweepLogger.warning("expiry sweep failed; retrying next time", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }

        let signals = SignalWatcher()
        let signal = await signals.waitForTermination()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        sweep.cancel()
        _ = await sweep.value
        await application.shutdown()
        logger.info("stopped")
    }
}
