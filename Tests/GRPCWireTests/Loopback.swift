// A GRPCClientSession and a GRPCServerSession wired to each other in memory: no sockets, no
// threads. `run()` moves bytes both ways (client.produceOutput → server.receive → server events →
// the test's handler → server.produceOutput → client.receive) until neither side has anything left
// to say, and keeps every event and every HTTP/2 frame header for the assertions.

@testable import GRPCWire
import ProtoMessages
import Testing

/// One HTTP/2 frame seen on the wire (RFC 9113 §4.1), with its payload when it is short.
struct WireFrame: CustomStringConvertible {
    static let data: UInt8 = 0x0
    static let headers: UInt8 = 0x1
    static let rstStream: UInt8 = 0x3
    static let settings: UInt8 = 0x4
    static let ping: UInt8 = 0x6
    static let goAway: UInt8 = 0x7
    static let continuation: UInt8 = 0x9

    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1

    var type: UInt8
    var flags: UInt8
    var streamID: Int32
    var length: Int
    /// The first 64 payload bytes.
    var payload: [UInt8]

    /// RST_STREAM's error code, or GOAWAY's.
    var errorCode: UInt32? {
        switch type {
        case Self.rstStream where payload.count >= 4: Self.uint32(payload, 0)
        case Self.goAway where payload.count >= 8: Self.uint32(payload, 4)
        default: nil
        }
    }

    var isEndStream: Bool { (type == Self.data || type == Self.headers) && flags & Self.endStream != 0 }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    var description: String { "frame(type \(type), flags \(flags), stream \(streamID), \(length) bytes)" }
}

/// Cuts a byte stream into frames, whatever the chunks it arrives in.
struct FrameScanner {
    private var pending: [UInt8] = []
    private var prefaceToSkip: Int
    private(set) var frames: [WireFrame] = []

    init(skippingClientPreface: Bool) {
        prefaceToSkip = skippingClientPreface ? 24 : 0
    }

    mutating func scan(_ bytes: [UInt8]) {
        pending += bytes
        if prefaceToSkip > 0 {
            let skipped = min(prefaceToSkip, pending.count)
            pending.removeFirst(skipped)
            prefaceToSkip -= skipped
        }
        var index = 0
        while pending.count - index >= 9 {
            let length = Int(pending[index]) << 16 | Int(pending[index + 1]) << 8 | Int(pending[index + 2])
            guard pending.count - index - 9 >= length else { break }
            let streamID = Int32(bitPattern: WireFrame.uint32(pending, index + 5) & 0x7FFF_FFFF)
            let payloadStart = index + 9
            frames.append(
                WireFrame(
                    type: pending[index + 3], flags: pending[index + 4], streamID: streamID, length: length,
                    payload: Array(pending[payloadStart..<(payloadStart + min(length, 64))])))
            index += 9 + length
        }
        pending.removeFirst(index)
    }
}

final class Loopback {
    let client: GRPCClientSession
    let server: GRPCServerSession
    /// Called for every server event as it happens; answers the call like a handler would.
    var handler: (ServerEvent, GRPCServerSession) -> Void

    private(set) var serverEvents: [ServerEvent] = []
    private(set) var clientEvents: [ClientEvent] = []
    private(set) var serverError: HTTP2ConnectionError?
    private(set) var clientError: HTTP2ConnectionError?
    private var toServerScanner = FrameScanner(skippingClientPreface: true)
    private var toClientScanner = FrameScanner(skippingClientPreface: false)

    /// Frames the client sent, and frames the server sent.
    var clientFrames: [WireFrame] { toServerScanner.frames }
    var serverFrames: [WireFrame] { toClientScanner.frames }

    init(
        clientLimits: WireLimits = WireLimits(), serverLimits: WireLimits = WireLimits(),
        handler: @escaping (ServerEvent, GRPCServerSession) -> Void = { _, _ in }
    ) {
        client = GRPCClientSession(limits: clientLimits)
        server = GRPCServerSession(limits: serverLimits)
        self.handler = handler
    }

    /// Moves bytes until both sides are quiet. Returns the number of rounds it took.
    @discardableResult
    func run(maxRounds: Int = 10_000, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        for round in 1...maxRounds {
            var toServer: [UInt8] = []
            var toClient: [UInt8] = []
            if clientError == nil {
                do throws(HTTP2ConnectionError) {
                    try client.produceOutput { toServer.append(contentsOf: $0) }
                } catch {
                    clientError = error
                }
            }
            toServerScanner.scan(toServer)
            if serverError == nil, !toServer.isEmpty {
                serverError = Self.feed(server, toServer)
            }
            let newServerEvents = server.takeEvents()
            for event in newServerEvents {
                serverEvents.append(event)
                handler(event, server)
            }
            if serverError == nil {
                do throws(HTTP2ConnectionError) {
                    try server.produceOutput { toClient.append(contentsOf: $0) }
                } catch {
                    serverError = error
                }
            }
            toClientScanner.scan(toClient)
            if clientError == nil, !toClient.isEmpty {
                clientError = Self.feed(client, toClient)
            }
            let newClientEvents = client.takeEvents()
            clientEvents += newClientEvents
            if toServer.isEmpty, toClient.isEmpty, newServerEvents.isEmpty, newClientEvents.isEmpty {
                return round
            }
        }
        Issue.record("the sessions were still talking after \(maxRounds) rounds", sourceLocation: sourceLocation)
        return maxRounds
    }

    private static func feed(_ session: HTTP2Session, _ bytes: [UInt8]) -> HTTP2ConnectionError? {
        bytes.withUnsafeBytes { raw in
            do throws(HTTP2ConnectionError) {
                try session.receive(raw)
                return nil
            } catch {
                return error
            }
        }
    }

    // MARK: - Looking at what happened

    var callsStarted: [CallStart] {
        serverEvents.compactMap { if case .callStarted(let start) = $0 { start } else { nil } }
    }

    func serverMessages(_ streamID: Int32) -> [[UInt8]] {
        serverEvents.compactMap { if case .message(streamID, let bytes) = $0 { bytes } else { nil } }
    }

    func requestEnded(_ streamID: Int32) -> Bool {
        serverEvents.contains { if case .requestEnded(streamID) = $0 { true } else { false } }
    }

    func cancellations(_ streamID: Int32) -> [RPCError] {
        serverEvents.compactMap { if case .callCancelled(streamID, let error) = $0 { error } else { nil } }
    }

    func clientMessages(_ streamID: Int32) -> [[UInt8]] {
        clientEvents.compactMap { if case .message(streamID, let bytes) = $0 { bytes } else { nil } }
    }

    func initialMetadata(_ streamID: Int32) -> [Metadata] {
        clientEvents.compactMap { if case .initialMetadata(streamID, let metadata) = $0 { metadata } else { nil } }
    }

    /// Every `.finished` event of the stream (there must be exactly one per call).
    func statuses(_ streamID: Int32) -> [(code: StatusCode, message: String, trailers: Metadata)] {
        clientEvents.compactMap {
            if case .finished(streamID, let code, let message, let trailers) = $0 { (code, message, trailers) } else { nil }
        }
    }

    /// The one final status of the stream; records an issue unless there is exactly one.
    func status(_ streamID: Int32, sourceLocation: SourceLocation = #_sourceLocation) -> (code: StatusCode, message: String, trailers: Metadata)? {
        let all = statuses(streamID)
        #expect(all.count == 1, "stream \(streamID) finished \(all.count) times", sourceLocation: sourceLocation)
        return all.first
    }

    var goAways: [(lastStreamID: Int32, errorCode: UInt32)] {
        clientEvents.compactMap { if case .goAway(let last, let code) = $0 { (last, code) } else { nil } }
    }
}

/// A message with its 5-byte gRPC prefix (flags byte as given).
func framed<M: ProtoMessage>(_ message: M, flags: UInt8 = 0) -> [UInt8] {
    var bytes = message.protobufBytes(headroom: GRPCFraming.prefixBytes)
    GRPCFraming.writePrefix(&bytes)
    bytes[0] = flags
    return bytes
}

/// Raw payload bytes with a gRPC prefix.
func framed(bytes payload: [UInt8], flags: UInt8 = 0) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: GRPCFraming.prefixBytes) + payload
    GRPCFraming.writePrefix(&bytes)
    bytes[0] = flags
    return bytes
}

/// The request headers `GRPCClientSession.startCall` sends, for `startRawRequest` variations.
func grpcRequestHeaders(path: String = "/grpc.testing.TestService/UnaryCall") -> [(String, String)] {
    [
        (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
        ("content-type", "application/grpc"), ("te", "trailers"),
    ]
}
