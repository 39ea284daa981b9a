import Foundation
import GRPCWire
import InteropTesting
import ProtoMessages
import ProtoServices
import RPC
import Testing

/// Issue 8, item 6: one client address cannot hold the server's connections, neither open ones nor
/// ones that never send a request; each limit with a control that shows the test depends on it.
@Suite("Connection limits per client address")
struct ConnectionLimitsTests {
    @Test("ConnectionAdmission counts per address: open, without a request, server-wide, and refuses all once stopping")
    func admissionCounting() {
        var limits = ServerLimits()
        limits.connectionsMax = 5
        limits.connectionsPerAddressMax = 3
        limits.connectionsWithoutRequestPerAddressMax = 2
        var admission = ConnectionAdmission(limits: limits)
        #expect(admission.admit(from: "10.0.0.1") == .admitted)
        #expect(admission.admit(from: "10.0.0.1") == .admitted)
        #expect(admission.admit(from: "10.0.0.1") == .addressIdleFull)
        admission.firstRequest(from: "10.0.0.1")
        #expect(admission.admit(from: "10.0.0.1") == .admitted)
        admission.firstRequest(from: "10.0.0.1")
        #expect(admission.admit(from: "10.0.0.1") == .addressFull)
        let first = admission.count(from: "10.0.0.1")
        #expect(first.open == 3 && first.withoutRequest == 1)
        // Another address has its own share, until the server as a whole is full.
        #expect(admission.admit(from: "10.0.0.2") == .admitted)
        #expect(admission.admit(from: "10.0.0.2") == .admitted)
        #expect(admission.openCount == 5)
        #expect(admission.admit(from: "10.0.0.3") == .serverFull)
        admission.closed(from: "10.0.0.1", sentRequest: true)
        let afterClose = admission.count(from: "10.0.0.1")
        #expect(afterClose.open == 2 && afterClose.withoutRequest == 1)
        #expect(admission.admit(from: "10.0.0.3") == .admitted)
        admission.closed(from: "10.0.0.2", sentRequest: false)
        let second = admission.count(from: "10.0.0.2")
        #expect(second.open == 1 && second.withoutRequest == 1)
        admission.closed(from: "10.0.0.3", sentRequest: false)
        #expect(admission.count(from: "10.0.0.3").open == 0)
        admission.beginShutdown()
        #expect(admission.admit(from: "10.0.0.4") == .shuttingDown)
    }

    @Test("one address past connectionsPerAddressMax is refused on accept while another address is served")
    func openConnectionsPerAddress() async throws {
        var limits = ServerLimits()
        limits.connectionsPerAddressMax = 4
        limits.connectionsWithoutRequestPerAddressMax = 4
        limits.shutdownGraceMilliseconds = 200
        try await withServer(limits: limits) { server, port in
            // Four connections with a call each: the address's whole share, none of it idle.
            var held: [RawConnection] = []
            for _ in 0..<4 {
                let raw = try RawConnection(port: port)
                raw.openStream()
                try raw.flush()
                held.append(raw)
            }
            try await waitUntil { server.server.connectionCount(from: "127.0.0.1") == (4, 0) }
            let refused = try RawConnection(port: port)
            try refused.read(seconds: 3)
            #expect(refused.closedByPeer, "the fifth connection from 127.0.0.1 is closed on accept")
            #expect(refused.events.isEmpty, "closed before any HTTP/2 byte")
            try await withClient(port: port) { client in
                _ = try await expectStatus(.unavailable) {
                    _ = try await Grpc_Testing_TestServiceClient(client).emptyCall(Grpc_Testing_Empty())
                }
            }
            // A second client address is not affected by the first one's share.
            let other = try RawConnection(port: port, from: "127.0.0.2")
            other.openStream()
            try other.flush()
            try other.read(seconds: 0.5)
            #expect(!other.closedByPeer)
            #expect(server.server.connectionCount(from: "127.0.0.2").open == 1)
            // Control: once one of the four closes, the first address is served again.
            held.removeLast()
            try await waitUntil { server.server.connectionCount(from: "127.0.0.1").open == 3 }
            try await withClient(port: port) { client in
                _ = try await Grpc_Testing_TestServiceClient(client).emptyCall(Grpc_Testing_Empty())
            }
            held.removeAll()
        }
    }

    @Test("connections that sent no request past connectionsWithoutRequestPerAddressMax are refused; a request frees the place")
    func idleConnectionsPerAddress() async throws {
        var limits = ServerLimits()
        limits.connectionsWithoutRequestPerAddressMax = 3
        limits.shutdownGraceMilliseconds = 200
        try await withServer(limits: limits) { server, port in
            // Three connections that send the HTTP/2 preface and nothing more.
            var idle: [RawConnection] = []
            for _ in 0..<3 {
                let raw = try RawConnection(port: port)
                try raw.flush()
                idle.append(raw)
            }
            try await waitUntil { server.server.connectionCount(from: "127.0.0.1") == (3, 3) }
            let refused = try RawConnection(port: port)
            try refused.flush()
            try refused.read(seconds: 3)
            #expect(refused.closedByPeer, "the fourth idle connection from 127.0.0.1 is closed on accept")
            // Another address has its own share of idle connections.
            let other = try RawConnection(port: port, from: "127.0.0.2")
            try other.flush()
            try other.read(seconds: 0.5)
            #expect(!other.closedByPeer)
            // Control: one of the three sends a request; it no longer counts, and the next idle
            // connection is admitted.
            idle[0].openStream()
            try idle[0].flush()
            try await waitUntil { server.server.connectionCount(from: "127.0.0.1") == (3, 2) }
            let admitted = try RawConnection(port: port)
            try admitted.flush()
            try admitted.read(seconds: 0.5)
            #expect(!admitted.closedByPeer)
            idle.removeAll()
        }
    }

    @Test("a connection that sends no request within firstRequestTimeoutMilliseconds gets GOAWAY and is closed; one with a request is not")
    func firstRequestTimeout() async throws {
        var limits = ServerLimits()
        limits.firstRequestTimeoutMilliseconds = 300
        limits.shutdownGraceMilliseconds = 200
        try await withServer(limits: limits) { server, port in
            let started = ContinuousClock.now
            // Connected, not a byte sent (a stalled handshake looks the same to the server).
            let silent = try RawConnection(port: port)
            // The HTTP/2 preface and SETTINGS, then nothing.
            let prefaceOnly = try RawConnection(port: port)
            try prefaceOnly.flush()
            // A request right away.
            let busy = try RawConnection(port: port)
            busy.openStream()
            try busy.flush()
            try prefaceOnly.read(seconds: 5) { _ in prefaceOnly.goAwayErrorCode != nil }
            #expect(prefaceOnly.goAwayErrorCode == HTTP2ErrorCode.noError.rawValue)
            try prefaceOnly.read(seconds: 3)
            #expect(prefaceOnly.closedByPeer)
            // The silent one is gone too (read without sending anything: the count tells).
            try await waitUntil { server.server.connectionCount(from: "127.0.0.1") == (1, 0) }
            #expect(ContinuousClock.now - started < .seconds(3), "closed after the 300 ms timeout, not the idle timeout")
            try busy.read(seconds: 0.5)
            #expect(!busy.closedByPeer && busy.goAwayErrorCode == nil)
            withExtendedLifetime(silent) {}
        }
    }
}

/// Polls `condition` every 20 ms for at most `seconds`; fails the test when it never held.
func waitUntil(
    seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    #expect(condition(), "condition did not hold within \(seconds) s", sourceLocation: sourceLocation)
}
