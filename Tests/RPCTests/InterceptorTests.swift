import GRPCWire
import InteropTesting
import ProtoMessages
import ProtoServices
import RPC
import Synchronization
import Testing

/// The one interception point (docs/ARCHITECTURE.md, "Who is calling"): it runs before every
/// handler, sees the decoded request, can refuse the call so the handler never runs, and leaves
/// what it learned in the context for the handler.
@Suite("server interceptor")
struct InterceptorTests {
    /// Refuses calls without `x-allow`; records every path and request it saw.
    final class Gate: ServerInterceptor {
        let seen = Mutex<[(path: String, request: String)]>([])

        func intercept(_ context: ServerContext, request: (any ProtoMessage)?) async throws {
            seen.withLock { $0.append((context.method.path, request.map { type(of: $0).protoMessageName } ?? "none")) }
            guard context.requestMetadata["x-allow"] == "yes" else {
                throw RPCError(.permissionDenied, "refused by the interceptor")
            }
            context.authenticated = "caller-1"
        }
    }

    static let empty = MethodDescriptor(service: "test.Counting", method: "Empty", kind: .unary)

    /// Counts handler runs and echoes what the interceptor left.
    final class Counting: RPCService {
        let runs = Mutex(0)

        var serviceDefinition: ServiceDefinition {
            ServiceDefinition(
                name: "test.Counting",
                methods: [
                    .unary(InterceptorTests.empty) { (_: Grpc_Testing_Empty, context: ServerContext) in
                        self.runs.withLock { $0 += 1 }
                        context.trailingMetadata.add("x-seen", context.authenticated as? String ?? "nothing")
                        return Grpc_Testing_Empty()
                    }
                ])
        }
    }

    @Test("a refusal ends the call before the handler; an admitted call reaches it with what the interceptor learned")
    func refusesBeforeHandler() async throws {
        let gate = Gate()
        let counting = Counting()
        try await withServer(services: [counting], interceptor: gate) { _, port in
            try await withClient(port: port) { client in
                let refused = try await expectStatus(.permissionDenied) {
                    _ = try await client.unary(Self.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self)
                }
                #expect(refused.message == "refused by the interceptor")
                #expect(counting.runs.withLock { $0 } == 0, "the handler never ran")

                var metadata = Metadata()
                metadata.add("x-allow", "yes")
                let call = try await client.unary(
                    Self.empty, request: Grpc_Testing_Empty(), responseType: Grpc_Testing_Empty.self,
                    options: CallOptions(metadata: metadata))
                #expect(call.trailingMetadata["x-seen"] == "caller-1")
                #expect(counting.runs.withLock { $0 } == 1)
            }
        }
        let seen = gate.seen.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0.path == "/test.Counting/Empty" && $0.request == "grpc.testing.Empty" })
    }
}
