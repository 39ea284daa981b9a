import GRPCWire

/// Request messages of a streaming call as raw protobuf bytes.
public struct RawRequestStream: Sendable {
    let queue: MessageQueue
    /// Runs on each message before it is decoded (``ServiceDefinition/checkingRequests(with:)``).
    var check: RequestCheck? = nil

    func next() async throws -> [UInt8]? {
        guard let message = try await queue.next() else { return nil }
        try check?(message)
        return message
    }

    /// The one request message of a server-streaming call.
    func single<Message: ProtoMessage>(_ type: Message.Type) async throws -> Message {
        guard let first = try await next() else {
            throw RPCError(.internal, "expected one request message, got none")
        }
        guard try await next() == nil else {
            throw RPCError(.internal, "expected one request message, got more")
        }
        return try RegisteredMethod.decode(Message.self, first)
    }
}

/// Writes framed response messages to a call, waiting while too much is queued.
public struct RawResponseWriter: Sendable {
    let send: @Sendable ([UInt8]) async throws -> Void

    /// `message` starts with `GRPCFraming.prefixBytes` bytes of headroom.
    func write(_ message: [UInt8]) async throws {
        var framed = message
        GRPCFraming.writePrefix(&framed)
        try await send(framed)
    }
}

/// The request messages of a client-streaming or bidirectional call, decoded.
public struct RequestStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let raw: RawRequestStream

    init(raw: RawRequestStream) {
        self.raw = raw
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let raw: RawRequestStream

        public mutating func next() async throws -> Message? {
            guard let bytes = try await raw.next() else { return nil }
            return try RegisteredMethod.decode(Message.self, bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(raw: raw) }
}

/// Sends response messages of a server-streaming or bidirectional call.
public struct ResponseWriter<Message: ProtoMessage>: Sendable {
    let raw: RawResponseWriter

    init(raw: RawResponseWriter) {
        self.raw = raw
    }

    /// Queues `message`; suspends while the stream's send buffer is over its limit (the client
    /// reads slower than the handler writes). Throws CANCELLED once the call is over.
    public func write(_ message: Message) async throws {
        try await raw.write(message.protobufBytes(headroom: GRPCFraming.prefixBytes))
    }
}
