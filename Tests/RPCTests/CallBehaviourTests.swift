import Foundation
import GRPCWire
import InteropTesting
import ProtoMessages
import ProtoServices
import RPC
import StandardServices
import Synchronization
import Testing
import Logging

/// Records whether a handler saw its task cancelled.
final class CancellationProbe: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    func markStarted() { started.store(true, ordering: .relaxed) }
    func markCancelled() { cancelled.store(true, ordering: .relaxed) }
    var wasStarted: Bool { started.load(ordering: .relaxed) }
    var wasCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// TestService methods with behaviour the tests need: a unary call that sleeps until cancelled,
/// and one that echoes the caller's certificate identity.
struct ProbeService: RPCService {
    let probe: CancellationProbe

    var serviceDefinition: ServiceDefinition {
        let probe = self.probe
        return ServiceDefinition(
            name: Grpc_Testing_TestService.name,
            methods: [
                .unary(Grpc_Testing_TestService.Method.emptyCall) { (_: Grpc_Testing_Empty, _: ServerContext) in
                    probe.markStarted()
                    do {
                        try await Task.sleep(for: .seconds(30))
                    } catch {
                        probe.markCancelled()
                    }
                    return Grpc_Testing_Empty()
                },
                .unary(Grpc_Testing_TestService.Method.unaryCall) { (_: Grpc_Testing_SimpleRequest, context: ServerContext) in
                    var response = Grpc_Testing_SimpleResponse()
                    response.username = context.peer.certificate?.commonName ?? ""
                    response.oauthScope = context.peer.certificate?.subjectAlternativeNames.joined(separator: ",") ?? ""
                    response.hostname = context.peer.address
                    return response
                },
            ])
    }
}

func eventually(seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

@Suite("Call behaviour")
struct CallBehaviourTests {
    @Test("the server ends a call at its grpc-timeout with DEADLINE_EXCEEDED and cancels the handler")
    func serverDeadline() async throws {
        let probe = CancellationProbe()
        try await withServer(services: [ProbeService(probe: probe)]) { _, port in
            // A bare session has no local timer: the status can only come from the server.
            let raw = try RawConnection(port: port)
            _ = raw.session.startCall(
                path: Grpc_Testing_TestService.Method.emptyCall.path, authority: "localhost", scheme: "http",
                metadata: Metadata(), timeoutNanoseconds: 200_000_000,
                firstMessage: [0, 0, 0, 0, 0], endOfRequest: true)
            try raw.flush()
            let started = Date()
            try raw.read(seconds: 5) { _ in !raw.finishedStatuses().isEmpty }
            #expect(raw.finishedStatuses().values.first == .deadlineExceeded)
            #expect(Date().timeIntervalSince(started) < 3)
            #expect(try await eventually { probe.wasCancelled })
        }
    }

    @Test("a client deadline fails the call and resets the stream, cancelling the handler")
    func clientDeadline() async throws {
        let probe = CancellationProbe()
        try await withServer(services: [ProbeService(probe: probe)]) { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                _ = try await expectStatus(.deadlineExceeded) {
                    _ = try await test.emptyCall(Grpc_Testing_Empty(), options: CallOptions(timeout: .milliseconds(300)))
                }
                #expect(try await eventually { probe.wasCancelled })
            }
        }
    }

    @Test("cancelling the calling task sends RST_STREAM and the handler sees cancellation")
    func taskCancellation() async throws {
        let probe = CancellationProbe()
        try await withServer(services: [ProbeService(probe: probe)]) { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                let task = Task { try await test.emptyCall(Grpc_Testing_Empty()) }
                #expect(try await eventually { probe.wasStarted })
                task.cancel()
                let result = await task.result
                guard case .failure(let error as RPCError) = result else {
                    throw TestFailure("expected a cancelled call, got \(result)")
                }
                #expect(error.code == .cancelled)
                #expect(try await eventually { probe.wasCancelled })
            }
        }
    }

    @Test("many concurrent calls share one connection")
    func multiplexing() async throws {
        try await withServer { standard, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let response = try await test.unaryCall(simpleRequest(responseSize: Int32(index)))
                            return response.payload?.body.count ?? 0
                        }
                    }
                    var total = 0
                    for try await size in group { total += size }
                    #expect(total == (0..<200).reduce(0, +))
                }
                #expect(standard.server.connectionCount == 1)
            }
        }
    }

    @Test("graceful shutdown sends GOAWAY, lets the call in flight finish and refuses new connections")
    func gracefulShutdown() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = StandardServer(
            configuration: ServerConfiguration(port: 0), services: [InteropTestService()], interceptor: nil, logger: logger)
        let port = try await server.server.start()
        try await withClient(port: port) { client in
            let test = Grpc_Testing_TestServiceClient(client)
            var request = Grpc_Testing_StreamingOutputCallRequest()
            request.responseParameters = (0..<3).map { _ in
                var parameters = Grpc_Testing_ResponseParameters()
                parameters.size = 10
                parameters.intervalUs = 300_000
                return parameters
            }
            let call = test.streamingOutputCall(request)
            _ = try await call.initialMetadata()
            async let shutdown: Void = server.shutdown()
            var received = 0
            for try await _ in call.responses { received += 1 }
            #expect(received == 3)
            #expect(await call.status().code == .ok)
            await shutdown
            // The listener is closed: a new call cannot connect.
            _ = try await expectStatus(.unavailable) { _ = try await test.emptyCall(Grpc_Testing_Empty()) }
        }
    }

    @Test("the client reconnects after its connection dropped")
    func reconnect() async throws {
        let port = try await withServer { _, port in port }
        try await withClient(port: port) { client in
            let test = Grpc_Testing_TestServiceClient(client)
            _ = try await expectStatus(.unavailable) { _ = try await test.emptyCall(Grpc_Testing_Empty()) }
            try await withServer(port: port) { _, _ in
                _ = try await test.emptyCall(Grpc_Testing_Empty())
            }
            // The server went away with GOAWAY; the next server on the same port is reached anew.
            try await withServer(port: port) { _, _ in
                var succeeded = false
                for _ in 0..<20 where !succeeded {
                    do {
                        _ = try await test.emptyCall(Grpc_Testing_Empty())
                        succeeded = true
                    } catch {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                #expect(succeeded)
            }
        }
    }

    @Test("mutual TLS: the handler sees the client certificate; untrusted or missing certificates are refused")
    func mutualTLS() async throws {
        let tls = ServerTLSConfiguration(
            certificateChainPath: TestCertificates.path("server.pem"), privateKeyPath: TestCertificates.path("server.key"),
            clientCAPath: TestCertificates.path("ca.pem"))
        try await withServer(services: [ProbeService(probe: CancellationProbe())], tls: tls) { _, port in
            let trusted = ClientTLSConfiguration(
                caPath: TestCertificates.path("ca.pem"), certificateChainPath: TestCertificates.path("client.pem"),
                privateKeyPath: TestCertificates.path("client.key"), serverHostname: "localhost")
            try await withClient(port: port, tls: trusted) { client in
                let response = try await Grpc_Testing_TestServiceClient(client).unaryCall(Grpc_Testing_SimpleRequest())
                #expect(response.username == "partner-registry-1")
                #expect(response.oauthScope.contains("spiffe://recs.test/partner-registry-1"))
                #expect(response.hostname.hasPrefix("ipv4:127.0.0.1:"))
            }
            let rogue = ClientTLSConfiguration(
                caPath: TestCertificates.path("ca.pem"), certificateChainPath: TestCertificates.path("rogue-client.pem"),
                privateKeyPath: TestCertificates.path("rogue-client.key"), serverHostname: "localhost")
            try await withClient(port: port, tls: rogue) { client in
                _ = try await expectStatus(.unavailable) {
                    _ = try await Grpc_Testing_TestServiceClient(client).unaryCall(Grpc_Testing_SimpleRequest())
                }
            }
            let anonymous = ClientTLSConfiguration(caPath: TestCertificates.path("ca.pem"), serverHostname: "localhost")
            try await withClient(port: port, tls: anonymous) { client in
                _ = try await expectStatus(.unavailable) {
                    _ = try await Grpc_Testing_TestServiceClient(client).unaryCall(Grpc_Testing_SimpleRequest())
                }
            }
        }
    }

    @Test("optional client certificates: a client without one connects; one that presents a certificate must chain to the CA")
    func optionalClientCertificates() async throws {
        let tls = ServerTLSConfiguration(
            certificateChainPath: TestCertificates.path("server.pem"), privateKeyPath: TestCertificates.path("server.key"),
            clientCAPath: TestCertificates.path("ca.pem"), clientCertificates: .optional)
        try await withServer(services: [ProbeService(probe: CancellationProbe())], tls: tls) { _, port in
            let anonymous = ClientTLSConfiguration(caPath: TestCertificates.path("ca.pem"), serverHostname: "localhost")
            try await withClient(port: port, tls: anonymous) { client in
                let response = try await Grpc_Testing_TestServiceClient(client).unaryCall(Grpc_Testing_SimpleRequest())
                #expect(response.username.isEmpty, "no certificate, no identity")
            }
            let trusted = ClientTLSConfiguration(
                caPath: TestCertificates.path("ca.pem"), certificateChainPath: TestCertificates.path("client.pem"),
                privateKeyPath: TestCertificates.path("client.key"), serverHostname: "localhost")
            try await withClient(port: port, tls: trusted) { client in
                let response = try await Grpc_Testing_TestServiceClient(client).unaryCall(Grpc_Testing_SimpleRequest())
                #expect(response.username == "partner-registry-1")
            }
            let rogue = ClientTLSConfiguration(
                caPath: TestCertificates.path("ca.pem"), certificateChainPath: TestCertificates.path("rogue-client.pem"),
                privateKeyPath: TestCertificates.path("rogue-client.key"), serverHostname: "localhost")
            try await withClient(port: port, tls: rogue) { client in
                _ = try await expectStatus(.unavailable) {
                    _ = try await Grpc_Testing_TestServiceClient(client).unaryCall(Grpc_Testing_SimpleRequest())
                }
            }
        }
    }

    @Test("a client that does not trust the server's CA cannot connect")
    func untrustedServer() async throws {
        let tls = ServerTLSConfiguration(
            certificateChainPath: TestCertificates.path("server.pem"), privateKeyPath: TestCertificates.path("server.key"))
        try await withServer(tls: tls) { _, port in
            let wrongCA = ClientTLSConfiguration(caPath: TestCertificates.path("rogue-ca.pem"), serverHostname: "localhost")
            try await withClient(port: port, tls: wrongCA) { client in
                _ = try await expectStatus(.unavailable) { _ = try await Grpc_Testing_TestServiceClient(client).emptyCall(Grpc_Testing_Empty()) }
            }
        }
    }

    @Test("a compressed request encoding gets UNIMPLEMENTED with grpc-accept-encoding: identity")
    func unsupportedEncoding() async throws {
        try await withServer { _, port in
            let raw = try RawConnection(port: port)
            var metadata = Metadata()
            metadata.add("grpc-encoding", "gzip")
            _ = raw.session.startCall(
                path: Grpc_Testing_TestService.Method.emptyCall.path, authority: "localhost", scheme: "http",
                metadata: metadata, timeoutNanoseconds: nil, firstMessage: [1, 0, 0, 0, 0], endOfRequest: true)
            try raw.flush()
            try raw.read(seconds: 3) { _ in !raw.finishedStatuses().isEmpty }
            var trailers: Metadata?
            for event in raw.events {
                if case .finished(_, let code, _, let metadata) = event, code == .unimplemented { trailers = metadata }
            }
            #expect(trailers?["grpc-accept-encoding"] == "identity")
        }
    }

    @Test("a request that does not decode as the method's message answers INVALID_ARGUMENT naming the message (issue 8)")
    func undecodableRequest() async throws {
        try await withServer { _, port in
            let raw = try RawConnection(port: port)
            // One gRPC message of two bytes: a field key whose varint never ends.
            _ = raw.session.startCall(
                path: Grpc_Testing_TestService.Method.unaryCall.path, authority: "localhost", scheme: "http",
                metadata: Metadata(), timeoutNanoseconds: nil, firstMessage: [0, 0, 0, 0, 2, 0xff, 0xff], endOfRequest: true)
            try raw.flush()
            try raw.read(seconds: 3) { _ in !raw.finishedStatuses().isEmpty }
            var finished: (StatusCode, String)?
            for event in raw.events {
                if case .finished(_, let code, let message, _) = event { finished = (code, message) }
            }
            #expect(finished?.0 == .invalidArgument)
            #expect(finished?.1.contains("grpc.testing.SimpleRequest") == true, "\(finished?.1 ?? "no status")")
        }
    }

    @Test("health Check and Watch, and reflection list_services, on every standard server")
    func healthAndReflection() async throws {
        try await withServer { standard, port in
            try await withClient(port: port) { client in
                let health = Grpc_Health_V1_HealthClient(client)
                var request = Grpc_Health_V1_HealthCheckRequest()
                #expect(try await health.check(request).status == .serving)
                request.service = Grpc_Testing_TestService.name
                #expect(try await health.check(request).status == .serving)
                request.service = "no.such.Service"
                _ = try await expectStatus(.notFound) { _ = try await health.check(request) }

                request.service = Grpc_Testing_TestService.name
                let watch = health.watch(request)
                var iterator = watch.responses.makeAsyncIterator()
                #expect(try await iterator.next()?.status == .serving)
                standard.health.setStatus(.notServing, for: Grpc_Testing_TestService.name)
                #expect(try await iterator.next()?.status == .notServing)
                watch.cancel()

                let reflection = Grpc_Reflection_V1_ServerReflectionClient(client).serverReflectionInfo()
                var list = Grpc_Reflection_V1_ServerReflectionRequest()
                list.messageRequest = .listServices("")
                try await reflection.send(list)
                var symbol = Grpc_Reflection_V1_ServerReflectionRequest()
                symbol.messageRequest = .fileContainingSymbol("grpc.testing.TestService.UnaryCall")
                try await reflection.send(symbol)
                try await reflection.closeSend()
                var responses: [Grpc_Reflection_V1_ServerReflectionResponse] = []
                for try await response in reflection.responses { responses.append(response) }
                #expect(responses.count == 2)
                guard case .listServicesResponse(let services)? = responses.first?.messageResponse else {
                    throw TestFailure("no list_services_response")
                }
                #expect(Set(services.service.map(\.name)) == [
                    "grpc.testing.TestService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                ])
                guard case .fileDescriptorResponse(let files)? = responses.last?.messageResponse else {
                    throw TestFailure("no file_descriptor_response")
                }
                #expect(files.fileDescriptorProto.count >= 3)
            }
        }
    }
}
