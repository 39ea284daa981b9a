import Foundation
import GRPCWire
import InteropTesting
import Logging
import ProtoMessages
import ProtoServices
import RPC
import StandardServices

#if canImport(Glibc)
import Glibc
#endif

/// Starts a server on a free loopback port for the duration of `body`.
func withServer<Result>(
    limits: ServerLimits = ServerLimits(), services: [any RPCService] = [InteropTestService()],
    tls: ServerTLSConfiguration? = nil, port: Int = 0, interceptor: (any ServerInterceptor)? = nil,
    _ body: (StandardServer, Int) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "test-server")
    logger.logLevel = .critical
    let server = StandardServer(
        configuration: ServerConfiguration(port: port, tls: tls, limits: limits), services: services, interceptor: interceptor,
        logger: logger)
    let port = try await server.server.start()
    do {
        let result = try await body(server, port)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

func withClient<Result>(port: Int, tls: ClientTLSConfiguration? = nil, _ body: (RPCClient) async throws -> Result) async throws -> Result {
    let client = try RPCClient(host: "127.0.0.1", port: port, tls: tls)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

func expectStatus(_ code: StatusCode, _ body: () async throws -> Void) async throws -> RPCError {
    do {
        try await body()
    } catch let error as RPCError {
        guard error.code == code else { throw TestFailure("expected \(code), got \(error)") }
        return error
    }
    throw TestFailure("expected \(code), the call succeeded")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func simpleRequest(responseSize: Int32 = 0, payloadSize: Int = 0) -> Grpc_Testing_SimpleRequest {
    var request = Grpc_Testing_SimpleRequest()
    request.responseSize = responseSize
    if payloadSize > 0 {
        var payload = Grpc_Testing_Payload()
        payload.body = [UInt8](repeating: 0, count: payloadSize)
        request.payload = payload
    }
    return request
}

/// A blocking TCP connection driven by a bare `GRPCClientSession`, for sending what a well-behaved
/// client never would: floods of resets and pings, streams past the advertised limit.
final class RawConnection {
    let session = GRPCClientSession()
    private let socketDescriptor: Int32
    private(set) var events: [ClientEvent] = []
    /// The peer closed the connection (read returned end of file or an error).
    private(set) var closedByPeer = false
    /// A write failed: the peer stopped reading or closed; what it sent before may still be read.
    private(set) var writeFailed = false

    /// `source`: the local address to connect from (any of 127.0.0.0/8 is the loopback on Linux),
    /// so one test can be two clients at different addresses.
    init(port: Int, from source: String? = nil) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw TestFailure("socket() failed") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw TestFailure("bind(\(source)) failed: \(errno)") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("connect() failed: \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socketDescriptor) }

    /// Sends everything the session has queued.
    func flush() throws {
        var failed = false
        try session.produceOutput { bytes in
            var offset = 0
            while offset < bytes.count, !failed {
                let sent = send(socketDescriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { failed = true } else { offset += sent }
            }
        }
        if failed { writeFailed = true }
    }

    /// Reads until `done` holds for the events so far, the peer closes, or `seconds` pass.
    @discardableResult
    func read(seconds: Double, until done: ([ClientEvent]) -> Bool = { _ in false }) throws -> [ClientEvent] {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline, !done(events), !closedByPeer {
            let count = buffer.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                closedByPeer = true
            } else if count > 0 {
                try buffer.withUnsafeBytes { try session.receive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                events += session.takeEvents()
                if !writeFailed { try flush() }
            }
        }
        return events
    }

    var goAwayErrorCode: UInt32? {
        for event in events {
            if case .goAway(_, let code) = event { return code }
        }
        return nil
    }

    func finishedStatuses() -> [Int32: StatusCode] {
        var result: [Int32: StatusCode] = [:]
        for event in events {
            if case .finished(let streamID, let code, _, _) = event { result[streamID] = code }
        }
        return result
    }

    /// Opens streams and resets each right after its HEADERS went out (Rapid Reset). A reset
    /// submitted before its HEADERS were sent would cancel both locally, so each is flushed.
    func resetFlood(count: Int) throws {
        for _ in 0..<count {
            guard let streamID = openStream() else { return }
            try flush()
            session.cancel(streamID)
            try flush()
            if writeFailed { return }
        }
    }

    /// Starts a FullDuplexCall and leaves it open.
    @discardableResult
    func openStream() -> Int32? {
        session.startCall(
            path: Grpc_Testing_TestService.Method.fullDuplexCall.path, authority: "localhost", scheme: "http",
            metadata: Metadata(), timeoutNanoseconds: nil)
    }
}

/// Creates certificates with scripts/make-test-certs.sh once per test process.
enum TestCertificates {
    static let directory: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-rpc-tests-certs-\(getpid())").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/make-test-certs.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, directory]
        process.standardOutput = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "make-test-certs.sh failed")
        return directory
    }()

    static func path(_ name: String) -> String { "\(directory)/\(name)" }
}
