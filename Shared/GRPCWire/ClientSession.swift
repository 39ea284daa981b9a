import CNGHTTP2

public enum ClientEvent {
    case initialMetadata(streamID: Int32, Metadata)
    case message(streamID: Int32, bytes: [UInt8])
    /// Exactly once for every started call, with the final status.
    case finished(streamID: Int32, code: StatusCode, message: String, trailers: Metadata)
    case writable(streamID: Int32)
    /// The server is going away; calls on streams above `lastStreamID` were not processed.
    case goAway(lastStreamID: Int32, errorCode: UInt32)
}

/// The client side of gRPC over HTTP/2 on one nghttp2 session.
public final class GRPCClientSession: HTTP2Session {
    private final class Stream {
        var headers = HeaderBlock()
        var receivedInitialHeaders = false
        var finished = false
        var deframer: MessageDeframer
        var waitingForWritable = false

        init(receiveLimitBytes: Int) {
            deframer = MessageDeframer(limitBytes: receiveLimitBytes)
        }
    }

    private var streams: [Int32: Stream] = [:]
    public private(set) var events: [ClientEvent] = []
    public private(set) var receivedGoAway = false

    public init(limits: WireLimits = WireLimits()) {
        super.init(isServer: false, limits: limits)
    }

    public func takeEvents() -> [ClientEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    public var activeCallCount: Int { streams.count }

    /// Starts a call; returns its stream id, or nil when the session can take no more streams.
    /// `firstMessage` and `endOfRequest` let a unary call go out as HEADERS + DATA(END_STREAM).
    public func startCall(
        path: String, authority: String, scheme: String, metadata: Metadata, timeoutNanoseconds: Int64?,
        firstMessage: [UInt8]? = nil, endOfRequest: Bool = false
    ) -> Int32? {
        var headers: [(String, String)] = [
            (":method", "POST"), (":scheme", scheme), (":path", path), (":authority", authority),
            ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", "recs-grpc/1.0"),
            ("grpc-accept-encoding", "identity"),
        ]
        if let timeoutNanoseconds { headers.append(("grpc-timeout", GRPCTimeout.encode(nanoseconds: timeoutNanoseconds))) }
        metadata.appendFields(to: &headers)
        let pending = OutboundStream()
        if let firstMessage { pending.buffer = firstMessage }
        if endOfRequest { pending.ending = .endStream }
        let streamID = submitHeaders(headers, withBody: true) { fields, count, provider in
            nghttp2_submit_request(session, nil, fields, count, provider, nil)
        }
        guard streamID > 0 else { return nil }
        outbound[streamID] = pending
        streams[streamID] = Stream(receiveLimitBytes: limits.receiveMessageBytesMax)
        return streamID
    }

    /// Starts a request with exactly `headers` (pseudo-headers included): for tests and tools
    /// that must send what a well-behaved client would not.
    public func startRawRequest(headers: [(String, String)], body: [UInt8]?, endOfRequest: Bool) -> Int32? {
        let pending = OutboundStream()
        if let body { pending.buffer = body }
        if endOfRequest { pending.ending = .endStream }
        let streamID = submitHeaders(headers, withBody: true) { fields, count, provider in
            nghttp2_submit_request(session, nil, fields, count, provider, nil)
        }
        guard streamID > 0 else { return nil }
        outbound[streamID] = pending
        streams[streamID] = Stream(receiveLimitBytes: limits.receiveMessageBytesMax)
        return streamID
    }

    public func sendMessage(_ streamID: Int32, _ framed: [UInt8]) {
        enqueue(streamID, bytes: framed)
    }

    public func closeSend(_ streamID: Int32) {
        finishOutbound(streamID, .endStream)
    }

    public func mustWaitForWritable(_ streamID: Int32) -> Bool {
        guard let stream = streams[streamID] else { return false }
        if queuedBytes(streamID) > limits.outboundQueuedBytesMax {
            stream.waitingForWritable = true
            return true
        }
        return false
    }

    /// Cancels the call with RST_STREAM(CANCEL); the caller has already failed it locally.
    public func cancel(_ streamID: Int32) {
        guard let stream = streams[streamID], !stream.finished else { return }
        stream.finished = true
        resetStream(streamID, .cancel)
    }

    private func finish(_ streamID: Int32, _ stream: Stream, _ code: StatusCode, _ message: String, _ trailers: Metadata = Metadata()) {
        guard !stream.finished else { return }
        stream.finished = true
        events.append(.finished(streamID: streamID, code: code, message: message, trailers: trailers))
    }

    // MARK: - nghttp2 callbacks

    override func handleBeginHeaders(_ streamID: Int32, category: nghttp2_headers_category) -> Int32 {
        streams[streamID]?.headers = HeaderBlock()
        return 0
    }

    override func handleHeader(
        _ streamID: Int32, category: nghttp2_headers_category, name: UnsafeBufferPointer<UInt8>,
        value: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        guard let stream = streams[streamID] else { return 0 }
        stream.headers.append(name: name, value: value, limitBytes: limits.headerListBytesMax)
        return 0
    }

    override func handleHeadersComplete(_ streamID: Int32, category: nghttp2_headers_category, endStream: Bool) -> Int32 {
        guard let stream = streams[streamID], !stream.finished else { return 0 }
        if stream.headers.tooLarge {
            finish(streamID, stream, .resourceExhausted, "response header list is larger than \(limits.headerListBytesMax) bytes")
            resetStream(streamID, .cancel)
            return 0
        }
        let headers = stream.headers.take()
        if !stream.receivedInitialHeaders {
            stream.receivedInitialHeaders = true
            let status = headers.first { $0.0 == ":status" }?.1
            guard status == "200" else {
                let (code, text) = Self.statusForHTTP(status)
                finish(streamID, stream, code, text)
                if !endStream { resetStream(streamID, .cancel) }
                return 0
            }
            let contentType = headers.first { $0.0 == "content-type" }?.1
            guard let contentType, contentType.hasPrefix("application/grpc") else {
                finish(streamID, stream, .unknown, "response content-type is \(contentType ?? "missing"), not application/grpc")
                if !endStream { resetStream(streamID, .cancel) }
                return 0
            }
            if !endStream {
                events.append(.initialMetadata(streamID: streamID, Self.customMetadata(headers)))
                return 0
            }
        }
        // Trailers, or a Trailers-Only response.
        finishWithTrailers(streamID, stream, headers)
        return 0
    }

    private func finishWithTrailers(_ streamID: Int32, _ stream: Stream, _ headers: [(String, String)]) {
        guard let statusText = headers.first(where: { $0.0 == "grpc-status" })?.1 else {
            finish(streamID, stream, .unknown, "the server's trailers have no grpc-status")
            return
        }
        let code = Int(statusText).flatMap(StatusCode.init(rawValue:)) ?? .unknown
        let message = headers.first { $0.0 == "grpc-message" }.map { PercentEncoding.decode($0.1) } ?? ""
        if stream.deframer.hasPartialMessage, code == .ok {
            finish(streamID, stream, .internal, "the response ended in the middle of a message")
            return
        }
        finish(streamID, stream, code, message, Self.customMetadata(headers))
    }

    override func handleDataChunk(_ streamID: Int32, _ data: UnsafeRawBufferPointer) -> Int32 {
        guard let stream = streams[streamID], !stream.finished else {
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
                finish(streamID, stream, .resourceExhausted, "response message of \(declared) bytes is larger than the limit of \(limit) bytes")
            case .compressed:
                finish(streamID, stream, .internal, "received a compressed message but no compression was negotiated")
            case .invalidFlags(let flags):
                finish(streamID, stream, .internal, "invalid message flags \(flags)")
            }
            resetStream(streamID, .cancel)
        }
        return 0
    }

    override func handleStreamClose(_ streamID: Int32, errorCode: UInt32) -> Int32 {
        if let stream = streams.removeValue(forKey: streamID), !stream.finished {
            let (code, message) = Self.statusForReset(errorCode)
            finish(streamID, stream, code, message)
        }
        forgetStream(streamID)
        return 0
    }

    override func handleGoAway(lastStreamID: Int32, errorCode: UInt32) -> Int32 {
        receivedGoAway = true
        events.append(.goAway(lastStreamID: lastStreamID, errorCode: errorCode))
        return 0
    }

    override func didDrain(_ streamID: Int32, queuedBytes: Int) {
        if let stream = streams[streamID], stream.waitingForWritable, queuedBytes <= limits.outboundQueuedBytesMax {
            stream.waitingForWritable = false
            events.append(.writable(streamID: streamID))
        }
    }

    /// Fails every call still open, e.g. when the connection dropped.
    public func failAll(_ code: StatusCode, _ message: String) {
        for (streamID, stream) in streams where !stream.finished {
            finish(streamID, stream, code, message)
        }
        streams.removeAll()
    }

    // MARK: - Mapping (PROTOCOL-HTTP2.md, http-grpc-status-mapping.md)

    static func customMetadata(_ headers: [(String, String)]) -> Metadata {
        var metadata = Metadata()
        for (name, value) in headers {
            if name.hasPrefix(":") { continue }
            switch name {
            case "content-type", "grpc-status", "grpc-message", "content-length":
                continue
            default:
                if name.hasSuffix("-bin") {
                    if let bytes = Base64.decode(value) { metadata.add(name, binary: bytes) }
                } else {
                    metadata.add(name, value)
                }
            }
        }
        return metadata
    }

    static func statusForHTTP(_ status: String?) -> (StatusCode, String) {
        let code: StatusCode =
            switch status {
            case "400": .internal
            case "401": .unauthenticated
            case "403": .permissionDenied
            case "404": .unimplemented
            case "429", "502", "503", "504": .unavailable
            default: .unknown
            }
        return (code, "the server answered HTTP status \(status ?? "none")")
    }

    static func statusForReset(_ errorCode: UInt32) -> (StatusCode, String) {
        switch HTTP2ErrorCode(rawValue: errorCode) {
        case .refusedStream: (.unavailable, "the server refused the stream (RST_STREAM REFUSED_STREAM)")
        case .cancel: (.cancelled, "the server cancelled the stream (RST_STREAM CANCEL)")
        case .enhanceYourCalm: (.resourceExhausted, "the server asked the client to slow down (ENHANCE_YOUR_CALM)")
        case .inadequateSecurity: (.permissionDenied, "inadequate security (RST_STREAM INADEQUATE_SECURITY)")
        default: (.internal, "the stream closed without a status (HTTP/2 error code \(errorCode))")
        }
    }
}
