import InteropTesting
import ProtoMessages
import ProtoServices
import RPC
import Testing

/// The interop cases of grpc/grpc doc/interop-test-descriptions.md with this stack on both ends;
/// the grpcio peers run in Tests/interop.
@Suite("Interop cases, Swift client against Swift server")
struct InteropInProcessTests {
    @Test(arguments: InteropCase.allCases)
    func interopCase(_ testCase: InteropCase) async throws {
        try await withServer { _, port in
            try await withClient(port: port) { client in
                try await testCase.run(on: client)
                // The connection stays usable after cancellations and deadlines.
                _ = try await Grpc_Testing_TestServiceClient(client).emptyCall(Grpc_Testing_Empty())
            }
        }
    }

    @Test("over TLS with ALPN h2")
    func interopOverTLS() async throws {
        let tls = ServerTLSConfiguration(
            certificateChainPath: TestCertificates.path("server.pem"), privateKeyPath: TestCertificates.path("server.key"))
        try await withServer(tls: tls) { _, port in
            let clientTLS = ClientTLSConfiguration(caPath: TestCertificates.path("ca.pem"), serverHostname: "localhost")
            try await withClient(port: port, tls: clientTLS) { client in
                for testCase in [InteropCase.largeUnary, .pingPong, .customMetadata, .statusCodeAndMessage] {
                    try await testCase.run(on: client)
                }
            }
        }
    }
}
