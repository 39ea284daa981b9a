// Rapid Reset (CVE-2023-44487) and PING floods: past the limit the server session sends GOAWAY
// with ENHANCE_YOUR_CALM (0xB); at the limit it does not. The buckets refill at 0 per second here,
// so the outcome does not depend on how fast the machine runs the test.

@testable import GRPCWire
import ProtoMessages
import Testing

@Suite("Flood limits")
struct FloodTests {
    private static let enhanceYourCalm = HTTP2ErrorCode.enhanceYourCalm.rawValue

    /// Opens `count` calls one after another and resets each once the server has started it.
    private func resetFlood(count: Int, limit: Int) throws -> Loopback {
        var limits = WireLimits()
        limits.resetBurstCount = limit
        limits.resetRefillPerSecond = 0
        let loop = Loopback(serverLimits: limits)
        for _ in 0..<count {
            guard !loop.client.receivedGoAway else { break }
            let id = try #require(
                loop.client.startCall(
                    path: "/grpc.testing.TestService/FullDuplexCall", authority: "localhost", scheme: "http",
                    metadata: Metadata(), timeoutNanoseconds: nil))
            loop.run()
            loop.client.cancel(id)
            loop.run()
        }
        return loop
    }

    @Test(arguments: [
        // (resets, limit, GOAWAY expected): the same count is fine or not depending on the limit.
        (20, 20, false),
        (21, 20, true),
        (21, 21, false),
        (21, 30, false),
        (60, 50, true),
    ])
    func rapidReset(resets: Int, limit: Int, goAwayExpected: Bool) throws {
        let loop = try resetFlood(count: resets, limit: limit)
        let resetsSent = loop.clientFrames.filter { $0.type == WireFrame.rstStream }.count
        if goAwayExpected {
            #expect(loop.goAways.map(\.errorCode) == [Self.enhanceYourCalm])
            #expect(loop.server.calmedDown)
            #expect(resetsSent == limit + 1)
            let goAway = loop.serverFrames.first { $0.type == WireFrame.goAway }
            #expect(goAway?.errorCode == Self.enhanceYourCalm)
            // Every call was started before it was reset, so the last one is the last processed.
            #expect(loop.goAways.first?.lastStreamID == Int32(2 * (limit + 1) - 1))
        } else {
            #expect(loop.goAways.isEmpty)
            #expect(!loop.server.calmedDown)
            #expect(resetsSent == resets)
            #expect(loop.callsStarted.count == resets)
            #expect(loop.server.isAlive)
        }
    }

    @Test(arguments: [
        // (pings, limit, GOAWAY expected)
        (10, 10, false),
        (11, 10, true),
        (11, 11, false),
        (11, 20, false),
        (200, 50, true),
    ])
    func pingFlood(pings: Int, limit: Int, goAwayExpected: Bool) throws {
        var limits = WireLimits()
        limits.pingBurstCount = limit
        limits.pingRefillPerSecond = 0
        let loop = Loopback(serverLimits: limits)
        for _ in 0..<pings { loop.client.sendPing() }
        loop.run()
        let pingsSent = loop.clientFrames.filter { $0.type == WireFrame.ping && $0.flags & WireFrame.ack == 0 }.count
        #expect(pingsSent == pings)
        let acks = loop.serverFrames.filter { $0.type == WireFrame.ping && $0.flags & WireFrame.ack != 0 }.count
        if goAwayExpected {
            #expect(loop.goAways.map(\.errorCode) == [Self.enhanceYourCalm])
            #expect(loop.goAways.first?.lastStreamID == 0)
            #expect(loop.server.calmedDown)
            #expect(acks <= limit + 1)
        } else {
            #expect(loop.goAways.isEmpty)
            #expect(!loop.server.calmedDown)
            #expect(acks == pings)
        }
    }

    @Test func pingsSpreadOverTimeRefill() throws {
        // With the default refill (10 per second) the bucket is the only thing between a burst and
        // GOAWAY: 50 at once are fine.
        let loop = Loopback()
        for _ in 0..<WireLimits().pingBurstCount { loop.client.sendPing() }
        loop.run()
        #expect(loop.goAways.isEmpty)
    }

    @Test func callsAfterGoAwayAreRefused() throws {
        var limits = WireLimits()
        limits.pingBurstCount = 1
        limits.pingRefillPerSecond = 0
        let loop = Loopback(serverLimits: limits)
        loop.client.sendPing()
        loop.client.sendPing()
        loop.run()
        #expect(loop.goAways.map(\.errorCode) == [Self.enhanceYourCalm])
        #expect(loop.client.receivedGoAway)
        // nghttp2 takes the request but never sends it: the stream closes with REFUSED_STREAM.
        let id = try #require(
            loop.client.startCall(
                path: "/grpc.testing.TestService/UnaryCall", authority: "localhost", scheme: "http", metadata: Metadata(),
                timeoutNanoseconds: nil, firstMessage: framed(Grpc_Testing_SimpleRequest()), endOfRequest: true))
        loop.run()
        #expect(loop.clientFrames.filter { $0.type == WireFrame.headers }.isEmpty)
        #expect(loop.status(id)?.code == .unavailable)
        #expect(loop.callsStarted.isEmpty)
    }
}
