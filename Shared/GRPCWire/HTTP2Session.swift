import CNGHTTP2

/// A fatal error of the HTTP/2 connection: the session cannot go on and the connection is closed.
public struct HTTP2ConnectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// HTTP/2 error codes (RFC 9113 §7) used by this layer.
public enum HTTP2ErrorCode: UInt32, Sendable {
    case noError = 0x0
    case protocolError = 0x1
    case internalError = 0x2
    case flowControlError = 0x3
    case refusedStream = 0x7
    case cancel = 0x8
    case enhanceYourCalm = 0xB
    case inadequateSecurity = 0xC
}

/// What remains to be sent on one stream: response or request body bytes, then how to end.
final class OutboundStream {
    enum Ending {
        case endStream
        case trailers([(String, String)])
    }

    var buffer: [UInt8] = []
    var offset = 0
    var ending: Ending? = nil
    /// True after the data provider returned NGHTTP2_ERR_DEFERRED; cleared by resuming.
    var deferred = false
    /// True once the data provider has reported EOF.
    var finished = false

    var queuedBytes: Int { buffer.count - offset }
}

/// One nghttp2 session, fed with bytes and asked for bytes: no I/O, no threads. It must be used
/// from one thread at a time, and never re-entered from its own callbacks (FACTS.md).
///
/// Subclasses (`GRPCServerSession`, `GRPCClientSession`) receive the nghttp2 callbacks through the
/// `handle…` methods and turn them into gRPC events.
public class HTTP2Session {
    var session: OpaquePointer!
    var outbound: [Int32: OutboundStream] = [:]
    let limits: WireLimits
    private var pingBucket: TokenBucket
    private var settingsBucket: TokenBucket
    /// Set when the session was torn down with GOAWAY(ENHANCE_YOUR_CALM).
    public private(set) var calmedDown = false

    init(isServer: Bool, limits: WireLimits) {
        self.limits = limits
        let now = monotonicNanoseconds()
        pingBucket = TokenBucket(burst: limits.pingBurstCount, refillPerSecond: limits.pingRefillPerSecond, nowNanoseconds: now)
        settingsBucket = TokenBucket(
            burst: limits.settingsBurstCount, refillPerSecond: limits.settingsRefillPerSecond, nowNanoseconds: now)

        var callbacks: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&callbacks) == 0, "nghttp2 out of memory")
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeadersCallback)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeaderCallback)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceiveCallback)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSendCallback)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunkCallback)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamCloseCallback)

        var option: OpaquePointer?
        precondition(nghttp2_option_new(&option) == 0, "nghttp2 out of memory")
        defer { nghttp2_option_del(option) }
        // Window updates are sent when the application consumes data, so a slow reader pushes
        // back on its peer instead of buffering without bound.
        nghttp2_option_set_no_auto_window_update(option, 1)
        // Backstops behind this layer's own limiters, which answer first with ENHANCE_YOUR_CALM.
        nghttp2_option_set_stream_reset_rate_limit(
            option, UInt64(limits.resetBurstCount * 2), UInt64(limits.resetRefillPerSecond * 2))
        nghttp2_option_set_max_continuations(option, 8)
        nghttp2_option_set_max_outbound_ack(option, 1000)
        nghttp2_option_set_max_settings(option, 32)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        let result =
            isServer
            ? nghttp2_session_server_new2(&session, callbacks, userData, option)
            : nghttp2_session_client_new2(&session, callbacks, userData, option)
        precondition(result == 0 && session != nil, "nghttp2 session creation failed")

        var settings: [nghttp2_settings_entry] = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                value: UInt32(limits.streamWindowBytes)),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                value: UInt32(limits.headerListBytesMax)),
        ]
        if isServer {
            settings.append(
                nghttp2_settings_entry(
                    settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                    value: limits.concurrentStreamsMax))
        } else {
            settings.append(
                nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0))
        }
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), settings, settings.count)
        nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, limits.connectionWindowBytes)
    }

    deinit {
        nghttp2_session_del(session)
    }

    // MARK: - Driving the session

    /// Feeds bytes read from the socket. Events are collected by the subclass.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTP2ConnectionError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let result = nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        if result < 0 {
            throw HTTP2ConnectionError(message: String(cString: nghttp2_strerror(Int32(result))))
        }
    }

    /// Hands every byte nghttp2 wants to send to `sink`, in order. The pointer is valid only during
    /// the call.
    public func produceOutput(_ sink: (UnsafeRawBufferPointer) -> Void) throws(HTTP2ConnectionError) {
        while true {
            var pointer: UnsafePointer<UInt8>? = nil
            let count = nghttp2_session_mem_send(session, &pointer)
            if count < 0 {
                throw HTTP2ConnectionError(message: String(cString: nghttp2_strerror(Int32(count))))
            }
            guard count > 0, let pointer else { return }
            sink(UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }

    /// False once the session has nothing more to read or write (after GOAWAY both ways, or a
    /// fatal error): the connection should be closed.
    public var isAlive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    public var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    /// Sends GOAWAY with `code` and stops processing new frames.
    public func terminate(_ code: HTTP2ErrorCode) {
        if code == .enhanceYourCalm { calmedDown = true }
        nghttp2_session_terminate_session(session, code.rawValue)
    }

    /// SETTINGS_MAX_CONCURRENT_STREAMS the peer advertised (unlimited until its SETTINGS arrive).
    public var remoteConcurrentStreamsMax: UInt32 {
        nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
    }

    /// Sends a PING (keepalive, or a round-trip probe).
    public func sendPing() {
        nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
    }

    public func resetStream(_ streamID: Int32, _ code: HTTP2ErrorCode) {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, code.rawValue)
    }

    /// Returns `byteCount` received bytes of `streamID` to the flow-control windows.
    func consume(_ streamID: Int32, _ byteCount: Int) {
        guard byteCount > 0 else { return }
        // nghttp2 credits the connection window first, then the stream's if it still exists.
        _ = nghttp2_session_consume(session, streamID, byteCount)
    }

    // MARK: - Outbound data

    /// Calls `submit` with `headers` as nghttp2 fields and, when `withBody`, a data provider that
    /// drains the stream's `OutboundStream`.
    func submitHeaders(
        _ headers: [(String, String)], withBody: Bool,
        _ submit: (UnsafePointer<nghttp2_nv>, Int, UnsafePointer<nghttp2_data_provider>?) -> Int32
    ) -> Int32 {
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: dataReadCallback)
        return withHeaderFields(headers) { fields, count in
            withBody ? submit(fields, count, &provider) : submit(fields, count, nil)
        }
    }

    // MARK: - Inbound flow control

    /// Streams whose consumer is behind: their received bytes are held back from the window.
    private var heldBytes: [Int32: Int] = [:]

    /// Accounts for `byteCount` bytes of DATA received on `streamID`.
    func received(_ streamID: Int32, _ byteCount: Int) {
        if let held = heldBytes[streamID] {
            heldBytes[streamID] = held + byteCount
        } else {
            consume(streamID, byteCount)
        }
    }

    /// While a stream is paused, its flow-control window is not reopened, so the peer stops
    /// sending once the window is used up. Resuming returns the held bytes to the window.
    public func setPaused(_ streamID: Int32, _ paused: Bool) {
        if paused {
            if heldBytes[streamID] == nil { heldBytes[streamID] = 0 }
        } else if let held = heldBytes.removeValue(forKey: streamID) {
            consume(streamID, held)
        }
    }

    func forgetStream(_ streamID: Int32) {
        heldBytes.removeValue(forKey: streamID)
        outbound.removeValue(forKey: streamID)
    }

    func enqueue(_ streamID: Int32, bytes: [UInt8]) {
        guard let stream = outbound[streamID], !stream.finished, stream.ending == nil else { return }
        if stream.queuedBytes == 0 {
            stream.buffer = bytes
            stream.offset = 0
        } else {
            stream.buffer.append(contentsOf: bytes)
        }
        resume(streamID, stream)
    }

    func finishOutbound(_ streamID: Int32, _ ending: OutboundStream.Ending) {
        guard let stream = outbound[streamID], !stream.finished, stream.ending == nil else { return }
        stream.ending = ending
        resume(streamID, stream)
    }

    private func resume(_ streamID: Int32, _ stream: OutboundStream) {
        if stream.deferred {
            stream.deferred = false
            nghttp2_session_resume_data(session, streamID)
        }
    }

    /// Bytes queued on `streamID` and not yet framed.
    public func queuedBytes(_ streamID: Int32) -> Int { outbound[streamID]?.queuedBytes ?? 0 }

    fileprivate func readOutbound(
        _ streamID: Int32, _ destination: UnsafeMutablePointer<UInt8>, _ length: Int,
        _ flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let stream = outbound[streamID] else {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            return 0
        }
        let count = min(stream.queuedBytes, length)
        if count > 0 {
            stream.buffer.withUnsafeBytes { source in
                UnsafeMutableRawPointer(destination).copyMemory(
                    from: source.baseAddress! + stream.offset, byteCount: count)
            }
            stream.offset += count
            if stream.offset == stream.buffer.count {
                stream.buffer.removeAll(keepingCapacity: stream.buffer.capacity <= 64 * 1024)
                stream.offset = 0
            }
            didDrain(streamID, queuedBytes: stream.queuedBytes)
        }
        if stream.queuedBytes == 0 {
            switch stream.ending {
            case nil:
                if count == 0 {
                    stream.deferred = true
                    return Int(NGHTTP2_ERR_DEFERRED.rawValue)
                }
            case .endStream:
                stream.finished = true
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            case .trailers(let trailers):
                stream.finished = true
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                let result = withHeaderFields(trailers) { fields, fieldCount in
                    nghttp2_submit_trailer(session, streamID, fields, fieldCount)
                }
                if result != 0 { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
            }
        }
        return count
    }

    // MARK: - Hooks for subclasses

    func handleBeginHeaders(_ streamID: Int32, category: nghttp2_headers_category) -> Int32 { 0 }
    func handleHeader(_ streamID: Int32, category: nghttp2_headers_category, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Int32 { 0 }
    func handleHeadersComplete(_ streamID: Int32, category: nghttp2_headers_category, endStream: Bool) -> Int32 { 0 }
    func handleDataEnd(_ streamID: Int32) -> Int32 { 0 }
    func handleDataChunk(_ streamID: Int32, _ data: UnsafeRawBufferPointer) -> Int32 { 0 }
    func handleStreamClose(_ streamID: Int32, errorCode: UInt32) -> Int32 { 0 }
    func handleResetReceived(_ streamID: Int32, errorCode: UInt32) -> Int32 { 0 }
    func handleGoAway(lastStreamID: Int32, errorCode: UInt32) -> Int32 { 0 }
    func handleFrameSent(_ streamID: Int32, type: UInt8, flags: UInt8) -> Int32 { 0 }
    /// Called when a stream's queued outbound bytes shrank (writers may be waiting).
    func didDrain(_ streamID: Int32, queuedBytes: Int) {}

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue:
            return handleHeadersComplete(header.stream_id, category: frame.pointee.headers.cat, endStream: endStream)
        case NGHTTP2_DATA.rawValue:
            return endStream ? handleDataEnd(header.stream_id) : 0
        case NGHTTP2_RST_STREAM.rawValue:
            return handleResetReceived(header.stream_id, errorCode: frame.pointee.rst_stream.error_code)
        case NGHTTP2_PING.rawValue:
            if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0,
                !pingBucket.take(nowNanoseconds: monotonicNanoseconds())
            {
                terminate(.enhanceYourCalm)
            }
            return 0
        case NGHTTP2_SETTINGS.rawValue:
            if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0,
                !settingsBucket.take(nowNanoseconds: monotonicNanoseconds())
            {
                terminate(.enhanceYourCalm)
            }
            return 0
        case NGHTTP2_GOAWAY.rawValue:
            return handleGoAway(lastStreamID: frame.pointee.goaway.last_stream_id, errorCode: frame.pointee.goaway.error_code)
        default:
            return 0
        }
    }
}

/// The fields of one HEADERS block as they arrive, with the RFC 9113 §6.5.2 size of the list
/// (name and value lengths plus 32 per field). Past the limit the fields are dropped and the block
/// is marked too large, so a peer cannot make the session store an unbounded list.
struct HeaderBlock {
    private(set) var fields: [(String, String)] = []
    private(set) var listBytes = 0
    private(set) var tooLarge = false

    mutating func append(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, limitBytes: Int) {
        listBytes += name.count + value.count + 32
        if listBytes > limitBytes {
            tooLarge = true
            fields = []
            return
        }
        if !tooLarge {
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
    }

    /// Returns the fields and starts a new block.
    mutating func take() -> [(String, String)] {
        defer { self = HeaderBlock() }
        return fields
    }
}

/// Calls `body` with nghttp2 header fields pointing into one contiguous copy of `headers`.
func withHeaderFields<R>(_ headers: [(String, String)], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
    var storage: [UInt8] = []
    var spans: [(Int, Int, Int, Int)] = []
    spans.reserveCapacity(headers.count)
    for (name, value) in headers {
        let nameStart = storage.count
        storage.append(contentsOf: name.utf8)
        let valueStart = storage.count
        storage.append(contentsOf: value.utf8)
        spans.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart))
    }
    if storage.isEmpty { storage.append(0) }
    return storage.withUnsafeMutableBufferPointer { bytes in
        let base = bytes.baseAddress!
        let fields = spans.map { span in
            nghttp2_nv(
                name: base + span.0, value: base + span.2, namelen: span.1, valuelen: span.3,
                flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
        }
        return fields.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
    }
}

@inline(__always)
private func owner(_ userData: UnsafeMutableRawPointer?) -> HTTP2Session {
    Unmanaged<HTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
}

private let onBeginHeadersCallback: nghttp2_on_begin_headers_callback = { _, frame, userData in
    owner(userData).handleBeginHeaders(frame!.pointee.hd.stream_id, category: frame!.pointee.headers.cat)
}

private let onHeaderCallback: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    guard UInt32(frame!.pointee.hd.type) == NGHTTP2_HEADERS.rawValue else { return 0 }
    return owner(userData).handleHeader(
        frame!.pointee.hd.stream_id, category: frame!.pointee.headers.cat,
        name: UnsafeBufferPointer(start: name, count: nameLength),
        value: UnsafeBufferPointer(start: value, count: valueLength))
}

private let onFrameReceiveCallback: nghttp2_on_frame_recv_callback = { _, frame, userData in
    owner(userData).frameReceived(frame!)
}

private let onFrameSendCallback: nghttp2_on_frame_send_callback = { _, frame, userData in
    owner(userData).handleFrameSent(frame!.pointee.hd.stream_id, type: frame!.pointee.hd.type, flags: frame!.pointee.hd.flags)
}

private let onDataChunkCallback: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    owner(userData).handleDataChunk(streamID, UnsafeRawBufferPointer(start: data, count: length))
}

private let onStreamCloseCallback: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
    owner(userData).handleStreamClose(streamID, errorCode: errorCode)
}

private let dataReadCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
    owner(userData).readOutbound(streamID, buffer!, length, flags!)
}
