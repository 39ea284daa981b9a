import GRPCWire
import InteropTesting
import ProtoMessages
import ProtoServices
import RPC
import Testing

/// Every limit of the wire stack, each with a control run that shows the test depends on it.
@Suite("Limits and hardening")
struct LimitsTests {
    @Test("MAX_CONCURRENT_STREAMS is advertised and streams past it are refused")
    func concurrentStreams() async throws {
        var limits = ServerLimits()
        limits.wire.concurrentStreamsMax = 10
        try await withServer(limits: limits) { _, port in
            let raw = try RawConnection(port: port)
            // Open more streams than allowed before the server's SETTINGS arrive, as a
            // misbehaving client would.
            for _ in 0..<12 { raw.openStream() }
            try raw.flush()
            try raw.read(seconds: 3) { _ in raw.finishedStatuses().count >= 2 }
            #expect(raw.session.remoteConcurrentStreamsMax == 10)
            let refused = raw.finishedStatuses().values.filter { $0 == .unavailable }
            #expect(refused.count == 2, "statuses: \(raw.finishedStatuses())")
        }
        // Control: with room for all of them, none is refused.
        limits.wire.concurrentStreamsMax = 100
        try await withServer(limits: limits) { _, port in
            let raw = try RawConnection(port: port)
            for _ in 0..<12 { raw.openStream() }
            try raw.flush()
            try raw.read(seconds: 1)
            #expect(raw.finishedStatuses().isEmpty)
        }
    }

    @Test("handlers running at once are bounded; the next call gets RESOURCE_EXHAUSTED")
    func handlerBound() async throws {
        var limits = ServerLimits()
        limits.concurrentHandlersMax = 2
        try await withServer(limits: limits) { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                // Two bidirectional calls whose handlers answer one request, then wait for more.
                let first = test.fullDuplexCall()
                let second = test.fullDuplexCall()
                var request = Grpc_Testing_StreamingOutputCallRequest()
                var parameters = Grpc_Testing_ResponseParameters()
                parameters.size = 1
                request.responseParameters = [parameters]
                try await first.send(request)
                try await second.send(request)
                var firstResponses = first.responses.makeAsyncIterator()
                var secondResponses = second.responses.makeAsyncIterator()
                _ = try await firstResponses.next()
                _ = try await secondResponses.next()
                let error = try await expectStatus(.resourceExhausted) { _ = try await test.emptyCall(Grpc_Testing_Empty()) }
                #expect(error.message.contains("limit of 2"))
                try await first.closeSend()
                try await second.closeSend()
                #expect(await first.status().code == .ok)
                #expect(await second.status().code == .ok)
                // Control: with the handlers done, the same call goes through.
                _ = try await test.emptyCall(Grpc_Testing_Empty())
            }
        }
    }

    @Test("a request header list over 16 KiB is rejected")
    func headerListLimit() async throws {
        try await withServer { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                var large = Metadata()
                large.add("x-large", String(repeating: "a", count: 17 * 1024))
                let error = try await expectStatus(.resourceExhausted) {
                    _ = try await test.emptyCall(Grpc_Testing_Empty(), options: CallOptions(metadata: large))
                }
                #expect(error.message.contains("16384"))
                // Control: just under the limit passes.
                var fits = Metadata()
                fits.add("x-large", String(repeating: "a", count: 15 * 1024))
                _ = try await test.emptyCall(Grpc_Testing_Empty(), options: CallOptions(metadata: fits))
            }
        }
    }

    @Test("a received message over 4 MiB gets RESOURCE_EXHAUSTED")
    func defaultMessageLimit() async throws {
        try await withServer { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                let error = try await expectStatus(.resourceExhausted) {
                    _ = try await test.unaryCall(simpleRequest(payloadSize: 4 * 1024 * 1024 + 1))
                }
                #expect(error.message.contains("4194304"))
                // Control: a message under the limit passes.
                _ = try await test.unaryCall(simpleRequest(payloadSize: 4 * 1024 * 1024 - 64))
            }
        }
    }

    @Test("the receive limit is configurable")
    func configuredMessageLimit() async throws {
        var limits = ServerLimits()
        limits.wire.receiveMessageBytesMax = 1024
        try await withServer(limits: limits) { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                _ = try await expectStatus(.resourceExhausted) { _ = try await test.unaryCall(simpleRequest(payloadSize: 2000)) }
                _ = try await test.unaryCall(simpleRequest(payloadSize: 900))
            }
        }
    }

    @Test("a response over the client's receive limit fails the call on the client")
    func clientReceiveLimit() async throws {
        try await withServer { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                _ = try await expectStatus(.resourceExhausted) {
                    _ = try await test.unaryCall(simpleRequest(responseSize: Int32(InteropTestService.responsePayloadBytesMax)))
                }
            }
        }
    }

    @Test("a Rapid Reset flood gets GOAWAY ENHANCE_YOUR_CALM while other connections are served")
    func rapidReset() async throws {
        try await withServer { _, port in
            try await withClient(port: port) { client in
                let test = Grpc_Testing_TestServiceClient(client)
                _ = try await test.emptyCall(Grpc_Testing_Empty())
                let raw = try RawConnection(port: port)
                try raw.read(seconds: 0.3)
                try raw.resetFlood(count: 1000)
                try raw.read(seconds: 5) { _ in raw.goAwayErrorCode != nil }
                #expect(raw.goAwayErrorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
                // The server keeps serving the other connection.
                _ = try await test.emptyCall(Grpc_Testing_Empty())
            }
        }
        // Control: with a reset budget above the flood, the connection survives it.
        var limits = ServerLimits()
        limits.wire.resetBurstCount = 100_000
        try await withServer(limits: limits) { _, port in
            let raw = try RawConnection(port: port)
            try raw.read(seconds: 0.3)
            try raw.resetFlood(count: 1000)
            try raw.read(seconds: 1)
            #expect(raw.goAwayErrorCode == nil)
        }
    }

    @Test("a PING flood gets GOAWAY ENHANCE_YOUR_CALM while other connections are served")
    func pingFlood() async throws {
        try await withServer { _, port in
            try await withClient(port: port) { client in
                let raw = try RawConnection(port: port)
                try raw.read(seconds: 0.3)
                for _ in 0..<300 {
                    raw.session.sendPing()
                    try raw.flush()
                    if raw.writeFailed { break }
                }
                try raw.read(seconds: 5) { _ in raw.goAwayErrorCode != nil }
                #expect(raw.goAwayErrorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
                _ = try await Grpc_Testing_TestServiceClient(client).emptyCall(Grpc_Testing_Empty())
            }
        }
        var limits = ServerLimits()
        limits.wire.pingBurstCount = 100_000
        try await withServer(limits: limits) { _, port in
            let raw = try RawConnection(port: port)
            try raw.read(seconds: 0.3)
            for _ in 0..<300 {
                raw.session.sendPing()
                try raw.flush()
            }
            try raw.read(seconds: 1)
            #expect(raw.goAwayErrorCode == nil)
        }
    }

    @Test("a connection without calls is closed after the idle timeout; one with a call is not")
    func idleConnections() async throws {
        var limits = ServerLimits()
        limits.connectionIdleMilliseconds = 300
        try await withServer(limits: limits) { _, port in
            let idle = try RawConnection(port: port)
            try idle.flush()
            try idle.read(seconds: 5) { _ in idle.goAwayErrorCode != nil }
            #expect(idle.goAwayErrorCode == HTTP2ErrorCode.noError.rawValue)
            try idle.read(seconds: 3)
            #expect(idle.closedByPeer)

            // Control: a connection with a call in flight stays open past the timeout.
            let busy = try RawConnection(port: port)
            busy.openStream()
            try busy.flush()
            try busy.read(seconds: 1)
            #expect(busy.goAwayErrorCode == nil)
            #expect(!busy.closedByPeer)
        }
    }
}
