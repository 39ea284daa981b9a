import GRPCWire
import NIOCore

/// One client HTTP/2 connection: its `GRPCClientSession`, used only on the channel's event loop,
/// and the calls multiplexed on it.
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: GRPCClientSession
    private let authority: String
    private let scheme: String
    private var calls: [Int32: ClientCallCore] = [:]
    private var channelContext: ChannelHandlerContext?
    private var reading = false
    private var flushScheduled = false
    private(set) var isClosed = false

    init(limits: WireLimits, authority: String, scheme: String) {
        self.session = GRPCClientSession(limits: limits)
        self.authority = authority
        self.scheme = scheme
    }

    /// False after GOAWAY or close: new calls go to a new connection.
    var acceptsNewCalls: Bool { !isClosed && !session.receivedGoAway && session.isAlive }

    func handlerAdded(context: ChannelHandlerContext) {
        channelContext = context
    }

    func channelActive(context: ChannelHandlerContext) {
        writeOutput()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        reading = true
        do {
            try buffer.withUnsafeReadableBytes { try session.receive($0) }
        } catch {
            failAll(.unavailable, "HTTP/2 protocol error from the server: \(error)")
            context.close(promise: nil)
            return
        }
        processEvents()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        writeOutput()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        failAll(.unavailable, "the connection to the server closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(.unavailable, "connection error: \(error)")
        context.close(promise: nil)
    }

    private func failAll(_ code: StatusCode, _ message: String) {
        session.failAll(code, message)
        processEvents()
        for call in calls.values {
            call.finish(CallStatus(code: code, message: message, trailingMetadata: Metadata()))
        }
        calls.removeAll()
    }

    // MARK: - Calls

    func start(_ call: ClientCallCore, firstMessage: [UInt8]?, endOfRequest: Bool) {
        guard !call.finished else { return }
        var timeoutNanoseconds: Int64?
        if let deadline = call.deadline {
            let remaining = (deadline - .now()).nanoseconds
            guard remaining > 0 else {
                call.finish(CallStatus(code: .deadlineExceeded, message: "the call's deadline passed before it started", trailingMetadata: Metadata()))
                return
            }
            timeoutNanoseconds = remaining
        }
        guard acceptsNewCalls,
            let streamID = session.startCall(
                path: call.method.path, authority: authority, scheme: scheme, metadata: call.options.metadata,
                timeoutNanoseconds: timeoutNanoseconds, firstMessage: firstMessage, endOfRequest: endOfRequest)
        else {
            call.finish(CallStatus(code: .unavailable, message: "the connection cannot take new calls", trailingMetadata: Metadata()))
            return
        }
        call.connection = self
        call.streamID = streamID
        calls[streamID] = call
        if let deadline = call.deadline, let context = channelContext {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            call.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) {
                bound.value.deadlineExpired(streamID)
            }
        }
        for message in call.pendingMessages { session.sendMessage(streamID, message) }
        call.pendingMessages = []
        if call.pendingClose { session.closeSend(streamID) }
        scheduleFlush()
    }

    func send(_ call: ClientCallCore, _ streamID: Int32, _ framed: [UInt8]) -> EventLoopFuture<Void> {
        let loop = call.loop
        session.sendMessage(streamID, framed)
        scheduleFlush()
        if session.mustWaitForWritable(streamID) {
            let promise = loop.makePromise(of: Void.self)
            call.writableWaiters.append(promise)
            return promise.futureResult
        }
        return loop.makeSucceededVoidFuture()
    }

    func closeSend(_ streamID: Int32) {
        session.closeSend(streamID)
        scheduleFlush()
    }

    func cancel(_ streamID: Int32) {
        calls.removeValue(forKey: streamID)
        session.cancel(streamID)
        scheduleFlush()
    }

    func resumeInput(_ streamID: Int32) {
        session.setPaused(streamID, false)
        scheduleFlush()
    }

    private func deadlineExpired(_ streamID: Int32) {
        guard let call = calls.removeValue(forKey: streamID) else { return }
        session.cancel(streamID)
        call.finish(CallStatus(code: .deadlineExceeded, message: "the call's deadline passed", trailingMetadata: Metadata()))
        scheduleFlush()
    }

    private func processEvents() {
        while true {
            let events = session.takeEvents()
            if events.isEmpty { return }
            for event in events {
                switch event {
                case .initialMetadata(let streamID, let metadata):
                    calls[streamID]?.initialMetadata.succeed(metadata)
                case .message(let streamID, let bytes):
                    if let call = calls[streamID], call.responses.push(bytes) {
                        session.setPaused(streamID, true)
                    }
                case .finished(let streamID, let code, let message, let trailers):
                    if let call = calls.removeValue(forKey: streamID) {
                        call.finish(CallStatus(code: code, message: message, trailingMetadata: trailers))
                    }
                case .writable(let streamID):
                    if let call = calls[streamID] {
                        let waiters = call.writableWaiters
                        call.writableWaiters = []
                        for waiter in waiters { waiter.succeed() }
                    }
                case .goAway:
                    break
                }
            }
        }
    }

    // MARK: - Output

    private func writeOutput() {
        guard let context = channelContext, !isClosed else { return }
        let buffer: ByteBuffer?
        do {
            buffer = try session.drainOutput(context.channel.allocator)
        } catch {
            failAll(.unavailable, "HTTP/2 error: \(error)")
            context.close(promise: nil)
            return
        }
        processEvents()
        if let buffer { context.writeAndFlush(wrapOutboundOut(buffer), promise: nil) }
        if !session.isAlive {
            isClosed = true
            context.close(promise: nil)
        }
    }

    private func scheduleFlush() {
        guard !reading, !flushScheduled, let context = channelContext else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = bound.value
            handler.flushScheduled = false
            handler.writeOutput()
        }
    }

    /// Sends GOAWAY and closes once the calls in flight are done (used by `RPCClient.close`).
    func close() {
        guard let context = channelContext, !isClosed else { return }
        session.terminate(.noError)
        writeOutput()
        context.close(promise: nil)
    }
}
