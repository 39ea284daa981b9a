import ArgumentParser
import InteropTesting
import ProtoMessages
import ProtoServices
import RPC

#if canImport(Glibc)
import Glibc
#endif

/// Runs the interop cases of grpc/grpc doc/interop-test-descriptions.md against any gRPC server.
@main
struct InteropClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-client",
        abstract: "Runs gRPC interop test cases against a grpc.testing.TestService server.")

    @Option(help: "Server host.")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int

    @Flag(help: "Use TLS.")
    var tls = false

    @Option(help: "PEM CA that signed the server's certificate (with --tls).")
    var ca: String?

    @Option(name: .customLong("server-host-override"), help: "Name checked against the server certificate (with --tls).")
    var serverHostOverride: String?

    @Option(name: .customLong("test-case"), help: "Comma-separated case names, or all.")
    var testCase: String = "all"

    func run() async throws {
        let names = testCase == "all" ? InteropCase.allCases.map(\.rawValue) : testCase.split(separator: ",").map(String.init)
        var cases: [InteropCase] = []
        for name in names {
            guard let found = InteropCase(rawValue: name) else {
                throw ValidationError("unknown test case \(name); known: \(InteropCase.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            cases.append(found)
        }
        let tlsConfiguration = tls ? ClientTLSConfiguration(caPath: ca, serverHostname: serverHostOverride) : nil
        let client = try RPCClient(host: host, port: port, tls: tlsConfiguration)
        // Deadlines count from the call's creation, connection set-up included; connect first so a
        // case's deadline (1 ms in timeout_on_sleeping_server) measures the call, not the
        // handshake. The outcome does not matter here; the cases check the server.
        _ = try? await Grpc_Testing_TestServiceClient(client).emptyCall(
            Grpc_Testing_Empty(), options: CallOptions(timeout: .seconds(5)))
        var failures = 0
        for testCase in cases {
            do {
                try await testCase.run(on: client)
                // A cancelled or timed-out call must leave the connection usable.
                _ = try await Grpc_Testing_TestServiceClient(client).emptyCall(
                    Grpc_Testing_Empty(), options: CallOptions(timeout: .seconds(20)))
                print("PASS \(testCase.rawValue)")
            } catch {
                failures += 1
                print("FAIL \(testCase.rawValue): \(error)")
            }
            fflush(nil)
        }
        await client.close()
        if failures > 0 { throw ExitCode(1) }
    }
}
