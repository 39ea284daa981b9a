import GRPCWire
import NIOCore

/// How a call ended.
public struct CallStatus: Sendable, Hashable {
    public var code: StatusCode
    public var message: String
    public var trailingMetadata: Metadata

    public var error: RPCError? {
        code == .ok ? nil : RPCError(code, message, metadata: trailingMetadata)
    }
}

/// The state of one client call. Mutable state is touched only on the client's event loop; the
/// promises and the response queue bridge to callers on any thread.
final class ClientCallCore: @unchecked Sendable {
    let loop: any EventLoop
    let method: MethodDescriptor
    let options: CallOptions
    let initialMetadata: EventLoopPromise<Metadata>
    let status: EventLoopPromise<CallStatus>
    let responses: MessageQueue
    /// When the call must be over, fixed when the call is created (not when its stream opens, so
    /// time spent connecting counts against it).
    let deadline: NIODeadline?

    // Event-loop state.
    var connection: ClientConnectionHandler?
    var streamID: Int32?
    var finished = false
    var pendingMessages: [[UInt8]] = []
    var pendingClose = false
    var deadlineTimer: Scheduled<Void>?
    var writableWaiters: [EventLoopPromise<Void>] = []

    init(loop: any EventLoop, method: MethodDescriptor, options: CallOptions) {
        self.loop = loop
        self.method = method
        self.options = options
        self.initialMetadata = loop.makePromise()
        self.status = loop.makePromise()
        self.deadline = options.timeout.map { timeout in
            // Clamped to about 95 years, so the nanosecond arithmetic cannot overflow.
            let (seconds, attoseconds) = timeout.components
            let clampedSeconds = min(max(seconds, 0), 3_000_000_000)
            return NIODeadline.now() + .nanoseconds(clampedSeconds * 1_000_000_000 + max(attoseconds, 0) / 1_000_000_000)
        }
        let owner = WeakOwner()
        self.responses = MessageQueue(onDrained: { owner.core?.resumeInput() })
        owner.core = self
    }

    private final class WeakOwner: @unchecked Sendable {
        weak var core: ClientCallCore?
    }

    /// The consumer caught up with the response messages: reopen the stream's window.
    private func resumeInput() {
        loop.execute {
            if let connection = self.connection, let streamID = self.streamID {
                connection.resumeInput(streamID)
            }
        }
    }

    /// Ends the call locally (cancellation, deadline, connection failure); on the loop.
    func finish(_ status: CallStatus) {
        loop.preconditionInEventLoop()
        guard !finished else { return }
        finished = true
        deadlineTimer?.cancel()
        initialMetadata.succeed(Metadata())
        self.status.succeed(status)
        if let error = status.error {
            responses.finish(.failure(error))
        } else {
            responses.finish()
        }
        let error = status.error ?? RPCError(.cancelled, "the call is over")
        for waiter in writableWaiters { waiter.fail(error) }
        writableWaiters = []
    }

    /// Cancels from any thread.
    func cancel() {
        loop.execute {
            guard !self.finished else { return }
            if let connection = self.connection, let streamID = self.streamID {
                connection.cancel(streamID)
            }
            self.finish(CallStatus(code: .cancelled, message: "the call was cancelled by the client", trailingMetadata: Metadata()))
        }
    }

    /// Queues a framed request message; the future completes when the stream can take more.
    func send(_ framed: [UInt8]) -> EventLoopFuture<Void> {
        loop.flatSubmit {
            if self.finished {
                return self.status.futureResult.flatMapThrowing { status in
                    throw status.error ?? RPCError(.failedPrecondition, "the call is already over")
                }
            }
            guard let connection = self.connection, let streamID = self.streamID else {
                self.pendingMessages.append(framed)
                return self.loop.makeSucceededVoidFuture()
            }
            return connection.send(self, streamID, framed)
        }
    }

    func closeSend() -> EventLoopFuture<Void> {
        loop.submit {
            guard !self.finished else { return }
            if let connection = self.connection, let streamID = self.streamID {
                connection.closeSend(streamID)
            } else {
                self.pendingClose = true
            }
        }
    }
}

// MARK: - Public call types

/// Response messages of a streaming call. Ends normally on status OK; throws the call's
/// `RPCError` otherwise.
public struct ResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let core: ClientCallCore

    public struct AsyncIterator: AsyncIteratorProtocol {
        let core: ClientCallCore

        public mutating func next() async throws -> Message? {
            guard let bytes = try await core.responses.next() else { return nil }
            do {
                return try Message(protobufBytes: bytes)
            } catch {
                core.cancel()
                throw RPCError(.internal, "response is not a valid \(Message.protoMessageName)")
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(core: core) }
}

extension ClientCallCore {
    func awaitInitialMetadata() async throws -> Metadata {
        try await initialMetadata.futureResult.get()
    }

    func awaitStatus() async -> CallStatus {
        // The promise is only ever succeeded.
        (try? await status.futureResult.get())
            ?? CallStatus(code: .unknown, message: "status unavailable", trailingMetadata: Metadata())
    }
}

public struct ServerStreamingCall<Output: ProtoMessage>: Sendable {
    let core: ClientCallCore

    public var responses: ResponseStream<Output> { ResponseStream(core: core) }
    public func initialMetadata() async throws -> Metadata { try await core.awaitInitialMetadata() }
    /// Waits for the end of the call.
    public func status() async -> CallStatus { await core.awaitStatus() }
    public func cancel() { core.cancel() }
}

public struct ClientStreamingCall<Input: ProtoMessage, Output: ProtoMessage>: Sendable {
    let core: ClientCallCore

    /// Sends a request message; suspends while too much is queued. Throws the call's error once
    /// it is over.
    public func send(_ message: Input) async throws {
        var framed = message.protobufBytes(headroom: GRPCFraming.prefixBytes)
        GRPCFraming.writePrefix(&framed)
        try await core.send(framed).get()
    }

    /// Ends the request stream and waits for the response.
    public func finish() async throws -> Output {
        try await core.closeSend().get()
        let status = await core.awaitStatus()
        if let error = status.error { throw error }
        guard let bytes = try await core.responses.next() else {
            throw RPCError(.internal, "the server sent status OK without a response message")
        }
        do {
            return try Output(protobufBytes: bytes)
        } catch {
            throw RPCError(.internal, "response is not a valid \(Output.protoMessageName)")
        }
    }

    public func initialMetadata() async throws -> Metadata { try await core.awaitInitialMetadata() }
    public func status() async -> CallStatus { await core.awaitStatus() }
    public func cancel() { core.cancel() }
}

public struct BidirectionalStreamingCall<Input: ProtoMessage, Output: ProtoMessage>: Sendable {
    let core: ClientCallCore

    public func send(_ message: Input) async throws {
        var framed = message.protobufBytes(headroom: GRPCFraming.prefixBytes)
        GRPCFraming.writePrefix(&framed)
        try await core.send(framed).get()
    }

    /// Half-closes: no more request messages.
    public func closeSend() async throws {
        try await core.closeSend().get()
    }

    public var responses: ResponseStream<Output> { ResponseStream(core: core) }
    public func initialMetadata() async throws -> Metadata { try await core.awaitInitialMetadata() }
    public func status() async -> CallStatus { await core.awaitStatus() }
    public func cancel() { core.cancel() }
}
