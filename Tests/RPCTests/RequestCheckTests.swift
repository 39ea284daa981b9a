import GRPCWire
import InteropTesting
import ProtoMessages
import ProtoServices
import RPC
import Synchronization
import Testing

/// Issue 8, item 5: a service's request messages can be checked on their bytes before they are
/// decoded (``ServiceDefinition/checkingRequests(with:)``): unary, server- and client-streaming
/// calls alike, before the interceptor runs for the first two.
@Suite("request checks")
struct RequestCheckTests {
    /// Refuses any request message over `bytesMax`; records the methods it was asked about.
    final class SizeChecker: RequestChecker {
        let bytesMax: Int
        init(bytesMax: Int) { self.bytesMax = bytesMax }

        func check(for method: MethodDescriptor) -> RequestCheck? {
            let bytesMax = bytesMax
            return { bytes in
                guard bytes.count <= bytesMax else { throw RPCError(.invalidArgument, "\(method.method): \(bytes.count) bytes") }
            }
        }
    }

    /// Counts the calls the interceptor sees.
    final class Recorder: ServerInterceptor {
        let calls = Mutex(0)
        func intercept(_ context: ServerContext, request: (any ProtoMessage)?) async throws { calls.withLock { $0 += 1 } }
    }

    static func payload(_ size: Int) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.body = [UInt8](repeating: 0, count: size)
        return payload
    }

    @Test("a request over the check is refused before the interceptor and the handler; others pass")
    func unaryAndStreaming() async throws {
        let recorder = Recorder()
        let service = CheckedService(InteropTestService(), checker: SizeChecker(bytesMax: 100))
        try await withServer(services: [service], interceptor: recorder) { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                var small = Grpc_Testing_SimpleRequest()
                small.payload = Self.payload(10)
                _ = try await test.unaryCall(small)
                #expect(recorder.calls.withLock { $0 } == 1)

                var large = Grpc_Testing_SimpleRequest()
                large.payload = Self.payload(200)
                let refused = try await expectStatus(.invalidArgument) { _ = try await test.unaryCall(large) }
                #expect(refused.message.hasPrefix("UnaryCall: "))
                #expect(recorder.calls.withLock { $0 } == 1, "the interceptor never saw the refused call")

                var output = Grpc_Testing_StreamingOutputCallRequest()
                output.payload = Self.payload(200)
                _ = try await expectStatus(.invalidArgument) {
                    for try await _ in test.streamingOutputCall(output).responses {}
                }
                #expect(recorder.calls.withLock { $0 } == 1)

                let input = test.streamingInputCall()
                var first = Grpc_Testing_StreamingInputCallRequest()
                first.payload = Self.payload(10)
                try await input.send(first)
                var second = Grpc_Testing_StreamingInputCallRequest()
                second.payload = Self.payload(200)
                try? await input.send(second)
                _ = try await expectStatus(.invalidArgument) { _ = try await input.finish() }
            }
        }
    }
}
