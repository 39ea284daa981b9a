import ArgumentParser
import Dispatch
import InteropTesting
import Logging
import RPC
import StandardServices

#if canImport(Glibc)
import Glibc
#endif

/// `grpc.testing.TestService` on this stack, for conformance tests against real gRPC peers and
/// for benchmarks.
@main
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-server",
        abstract: "Serves grpc.testing.TestService (gRPC interop), plus health and reflection.")

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Flag(help: "Serve TLS (ALPN h2) instead of cleartext h2c.")
    var tls = false

    @Option(help: "PEM certificate chain (with --tls).")
    var cert: String?

    @Option(help: "PEM private key (with --tls).")
    var key: String?

    @Option(name: .customLong("client-ca"), help: "PEM CA for client certificates: requires mutual TLS.")
    var clientCA: String?

    func validate() throws {
        if tls, cert == nil || key == nil { throw ValidationError("--tls needs --cert and --key") }
        if !tls, cert != nil || key != nil || clientCA != nil {
            throw ValidationError("--cert, --key and --client-ca need --tls")
        }
    }

    func run() async throws {
        var logger = Logger(label: "interop-server")
        logger.logLevel = .notice
        let tlsConfiguration = tls ? ServerTLSConfiguration(certificateChainPath: cert!, privateKeyPath: key!, clientCAPath: clientCA) : nil
        let server = StandardServer(
            configuration: ServerConfiguration(host: host, port: port, tls: tlsConfiguration),
            services: [InteropTestService()], interceptor: nil, logger: logger)
        let boundPort = try await server.server.start()
        print("listening on \(boundPort)")
        fflush(nil)

        let signals = SignalWatcher()
        await signals.waitForTermination()
        await server.shutdown()
    }
}
