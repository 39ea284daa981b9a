import CNGHTTP2

/// A request's headers, once they passed validation.
public struct CallStart: Sendable {
    public var streamID: Int32
    /// `/package.Service/Method`.
    public var path: String
    public var authority: String?
    /// Custom metadata only: pseudo-headers and reserved gRPC headers are removed.
    public var metadata: Metadata
    /// From `grpc-timeout`, in nanoseconds.
    public var timeoutNanoseconds: Int64?
}

public enum ServerEvent {
    case callStarted(CallStart)
    case message(streamID: Int32, bytes: [UInt8])
    /// The client half-closed: no more request messages.
    case requestEnded(streamID: Int32)
    /// The call ended before the server sent its status: the client reset the stream, or this
    /// session answered a protocol violation itself. The handler must stop.
    case callCancelled(streamID: Int32, RPCError)
    /// Queued response bytes on this stream fell below the limit; waiting writers may go on.
    case writable(streamID: Int32)
}

/// The server side of gRPC over HTTP/2 (PROTOCOL-HTTP2.md) on one nghttp2 session.
public final class GRPCServerSession: HTTP2Session {
    private final class Stream {
        var headers = HeaderBlock()
        var started = false
        var headersSent = false
        var statusSent = false
        var remoteEnded = false
        /// Set when the session answered the call itself; further request data is dropped.
        var ignoringInput = false
        var deframer: MessageDeframer
        var waitingForWritable = false

        init(receiveLimitBytes: Int) {
            deframer = MessageDeframer(limitBytes: receiveLimitBytes)
        }
    }

    private var streams: [Int32: Stream] = [:]
    public private(set) var events: [ServerEvent] = []
    private var resetBucket: TokenBucket
    private var shutdownStarted = false

    public init(limits: WireLimits = WireLimits()) {
        resetBucket = TokenBucket(
            burst: limits.resetBurstCount, refillPerSecond: limits.resetRefillPerSecond,
            nowNanoseconds: monotonicNanoseconds())
        super.init(isServer: true, limits: limits)
    }

    /// Returns and clears the events collected since the last call.
    public func takeEvents() -> [ServerEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Streams whose status has not been sent yet.
    public var activeCallCount: Int { streams.values.filter { $0.started && !$0.statusSent }.count }

    // MARK: - Responding

    public func sendInitialMetadata(_ streamID: Int32, _ metadata: Metadata) {
        guard let stream = streams[streamID], !stream.headersSent, !stream.statusSent else { return }
        stream.headersSent = true
        outbound[streamID] = OutboundStream()
        var headers: [(String, String)] = [(":status", "200"), ("content-type", "application/grpc")]
        metadata.appendFields(to: &headers)
        let result = submitHeaders(headers, withBody: true) { fields, count, provider in
            nghttp2_submit_response(session, streamID, fields, count, provider)
        }
        if result != 0 { resetStream(streamID, .internalError) }
    }

    /// Queues one message; `framed` starts with the 5 prefix bytes (see `GRPCFraming`).
    public func sendMessage(_ streamID: Int32, _ framed: [UInt8]) {
        guard let stream = streams[streamID], !stream.statusSent else { return }
        if !stream.headersSent { sendInitialMetadata(streamID, Metadata()) }
        enqueue(streamID, bytes: framed)
    }

    /// True when this stream has more queued response bytes than the limit.
    public func mustWaitForWritable(_ streamID: Int32) -> Bool {
        guard let stream = streams[streamID] else { return false }
        if queuedBytes(streamID) > limits.outboundQueuedBytesMax {
            stream.waitingForWritable = true
            return true
        }
        return false
    }

    /// Ends the call with a status. Before any response headers this is a Trailers-Only response.
    public func sendStatus(_ streamID: Int32, _ code: StatusCode, _ message: String, trailers: Metadata = Metadata()) {
        guard let stream = streams[streamID], !stream.statusSent else { return }
        stream.statusSent = true
        var fields: [(String, String)] = [("grpc-status", String(code.rawValue))]
        if !message.isEmpty { fields.append(("grpc-message", PercentEncoding.encode(message))) }
        trailers.appendFields(to: &fields)
        if stream.headersSent {
            finishOutbound(streamID, .trailers(fields))
        } else {
            stream.headersSent = true
            let headers = [(":status", "200"), ("content-type", "application/grpc")] + fields
            let result = submitHeaders(headers, withBody: false) { fields, count, _ in
                nghttp2_submit_response(session, streamID, fields, count, nil)
            }
            if result != 0 { resetStream(streamID, .internalError) }
        }
    }

    /// Sends GOAWAY announcing shutdown while still accepting streams already in flight
    /// (PROTOCOL-HTTP2.md: a first GOAWAY with the maximum stream id, then the real one).
    public func startGracefulShutdown() {
        guard !shutdownStarted else { return }
        shutdownStarted = true
        nghttp2_submit_shutdown_notice(session)
    }

    /// Sends the final GOAWAY: streams after the last one processed are refused.
    public func finishGracefulShutdown() {
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
            HTTP2ErrorCode.noError.rawValue, nil, 0)
    }

    /// Answers a request the session rejects by itself, before any handler runs.
    private func reject(_ streamID: Int32, _ stream: Stream, _ code: StatusCode, _ message: String, extra: Metadata = Metadata()) {
        stream.ignoringInput = true
        sendStatus(streamID, code, message, trailers: extra)
        if stream.started { events.append(.callCancelled(streamID: streamID, RPCError(code, message))) }
    }

    private func rejectWithHTTPStatus(_ streamID: Int32, _ stream: Stream, _ status: Int) {
        stream.ignoringInput = true
        stream.statusSent = true
        stream.headersSent = true
        _ = submitHeaders([(":status", String(status))], withBody: false) { fields, count, _ in
            nghttp2_submit_response(session, streamID, fields, count, nil)
        }
    }

    // MARK: - nghttp2 callbacks

    override func handleBeginHeaders(_ streamID: Int32, category: nghttp2_headers_category) -> Int32 {
        if category == NGHTTP2_HCAT_REQUEST {
            streams[streamID] = Stream(receiveLimitBytes: limits.receiveMessageBytesMax)
        }
        return 0
    }

    override func handleHeader(
        _ streamID: Int32, category: nghttp2_headers_category, name: UnsafeBufferPointer<UInt8>,
        value: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        guard let stream = streams[streamID], category == NGHTTP2_HCAT_REQUEST else { return 0 }
        stream.headers.append(name: name, value: value, limitBytes: limits.headerListBytesMax)
        return 0
    }

    override func handleHeadersComplete(_ streamID: Int32, category: nghttp2_headers_category, endStream: Bool) -> Int32 {
        guard let stream = streams[streamID] else { return 0 }
        if category == NGHTTP2_HCAT_REQUEST {
            startCall(streamID, stream)
        }
        if endStream { remoteEnded(streamID, stream) }
        return 0
    }

    private func startCall(_ streamID: Int32, _ stream: Stream) {
        if stream.headers.tooLarge {
            reject(
                streamID, stream, .resourceExhausted,
                "request header list is larger than \(limits.headerListBytesMax) bytes")
            return
        }
        var method: String?
        var path: String?
        var authority: String?
        var contentType: String?
        var encoding: String?
        var timeout: String?
        var metadata = Metadata()
        for (name, value) in stream.headers.take() {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":authority": authority = value
            case ":scheme": break
            case "content-type": contentType = value
            case "grpc-encoding": encoding = value
            case "grpc-timeout": timeout = value
            case "te", "grpc-accept-encoding", "content-length", "host": break
            default:
                if name.hasPrefix(":") { continue }
                if name.hasSuffix("-bin") {
                    guard let bytes = Base64.decode(value) else {
                        reject(streamID, stream, .internal, "metadata \(name) is not valid base64")
                        return
                    }
                    metadata.add(name, binary: bytes)
                } else {
                    metadata.add(name, value)
                }
            }
        }
        guard method == "POST" else {
            rejectWithHTTPStatus(streamID, stream, 405)
            return
        }
        guard let contentType, contentType.hasPrefix("application/grpc") else {
            // PROTOCOL-HTTP2.md: 415 keeps non-gRPC clients from reading a gRPC error as success.
            rejectWithHTTPStatus(streamID, stream, 415)
            return
        }
        guard let path, path.hasPrefix("/") else {
            reject(streamID, stream, .unimplemented, "missing or malformed :path")
            return
        }
        if let encoding, encoding != "identity" {
            reject(
                streamID, stream, .unimplemented,
                "message encoding \(encoding) is not supported; this server accepts identity only",
                extra: ["grpc-accept-encoding": "identity"])
            return
        }
        var timeoutNanoseconds: Int64?
        if let timeout {
            guard let parsed = GRPCTimeout.parse(timeout) else {
                reject(streamID, stream, .internal, "malformed grpc-timeout \(timeout)")
                return
            }
            timeoutNanoseconds = parsed
        }
        stream.started = true
        events.append(
            .callStarted(
                CallStart(
                    streamID: streamID, path: path, authority: authority, metadata: metadata,
                    timeoutNanoseconds: timeoutNanoseconds)))
    }

    override func handleDataChunk(_ streamID: Int32, _ data: UnsafeRawBufferPointer) -> Int32 {
        guard let stream = streams[streamID], stream.started, !stream.ignoringInput, !stream.statusSent else {
            consume(streamID, data.count)
            return 0
        }
        received(streamID, data.count)
        do {
            try stream.deframer.feed(data) { message in
                events.append(.message(streamID: streamID, bytes: message))
            }
        } catch {
            switch error {
            case .tooLarge(let declared, let limit):
                reject(
                    streamID, stream, .resourceExhausted,
                    "received message of \(declared) bytes is larger than the limit of \(limit) bytes")
            case .compressed:
                reject(
                    streamID, stream, .internal,
                    "received a compressed message but the request's grpc-encoding is identity")
            case .invalidFlags(let flags):
                reject(streamID, stream, .internal, "invalid message flags \(flags)")
            }
        }
        return 0
    }

    override func handleDataEnd(_ streamID: Int32) -> Int32 {
        if let stream = streams[streamID] { remoteEnded(streamID, stream) }
        return 0
    }

    private func remoteEnded(_ streamID: Int32, _ stream: Stream) {
        guard !stream.remoteEnded else { return }
        stream.remoteEnded = true
        guard stream.started, !stream.ignoringInput, !stream.statusSent else { return }
        if stream.deframer.hasPartialMessage {
            reject(streamID, stream, .internal, "request ended in the middle of a message")
            return
        }
        events.append(.requestEnded(streamID: streamID))
    }

    override func handleResetReceived(_ streamID: Int32, errorCode: UInt32) -> Int32 {
        if !resetBucket.take(nowNanoseconds: monotonicNanoseconds()) {
            // Rapid Reset (CVE-2023-44487): streams opened and reset faster than any real client.
            terminate(.enhanceYourCalm)
        }
        return 0
    }

    override func handleFrameSent(_ streamID: Int32, type: UInt8, flags: UInt8) -> Int32 {
        // After the status went out with END_STREAM, a client still sending is told to stop.
        if UInt32(type) == NGHTTP2_HEADERS.rawValue, flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
            let stream = streams[streamID], !stream.remoteEnded
        {
            resetStream(streamID, .noError)
        }
        return 0
    }

    override func handleStreamClose(_ streamID: Int32, errorCode: UInt32) -> Int32 {
        if let stream = streams.removeValue(forKey: streamID), stream.started, !stream.statusSent {
            stream.statusSent = true
            events.append(
                .callCancelled(streamID: streamID, RPCError(.cancelled, "the client cancelled the call")))
        }
        forgetStream(streamID)
        return 0
    }

    override func didDrain(_ streamID: Int32, queuedBytes: Int) {
        if let stream = streams[streamID], stream.waitingForWritable, queuedBytes <= limits.outboundQueuedBytesMax {
            stream.waitingForWritable = false
            events.append(.writable(streamID: streamID))
        }
    }
}
