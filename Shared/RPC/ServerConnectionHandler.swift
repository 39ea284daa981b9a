import GRPCWire
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// One HTTP/2 connection of the server: owns its `GRPCServerSession`, used only on this channel's
/// event loop, and runs each call's handler as a task on that same loop.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private final class Call {
        let streamID: Int32
        let method: RegisteredMethod
        let context: ServerContext
        var task: Task<Void, Never>?
        var queue: MessageQueue?
        var unaryRequest: [UInt8]?
        var unaryMessageCount = 0
        var deadlineTimer: Scheduled<Void>?
        var writableWaiters: [EventLoopPromise<Void>] = []
        var done = false
        /// The call holds one place in the server's handler gate until its task (or, when no task
        /// ever ran, the call's end) gives it back.
        var holdsGate = true
        /// When the call started, for its observer (``ServerMethodObserver``); read only when the
        /// method has one.
        let startedAt: NIODeadline

        init(streamID: Int32, method: RegisteredMethod, context: ServerContext) {
            self.streamID = streamID
            self.method = method
            self.context = context
            self.startedAt = method.observer == nil ? .uptimeNanoseconds(0) : .now()
        }

        /// Tells the method's observer how the call ended.
        func observeEnd(_ code: StatusCode) {
            guard let observer = method.observer else { return }
            observer.callFinished(code, nanoseconds: (NIODeadline.now() - startedAt).nanoseconds)
        }
    }

    private let session: GRPCServerSession
    private let router: Router
    private let gate: HandlerGate
    private let logger: Logger
    private var calls: [Int32: Call] = [:]
    private var channelContext: ChannelHandlerContext?
    private var executor: EventLoopTaskExecutor?
    private var peer = PeerInfo(address: "unknown")
    private var flushScheduled = false
    private var reading = false
    private var shuttingDown = false
    private var closed = false
    private let idleTimeout: TimeAmount
    private var idleTimer: Scheduled<Void>?
    private let firstRequestTimeout: TimeAmount
    private var firstRequestTimer: Scheduled<Void>?
    /// Set at the HEADERS of the first request; until then the connection counts against its
    /// address's ``ServerLimits/connectionsWithoutRequestPerAddressMax``.
    private var sentRequest = false
    private let onFirstRequest: @Sendable () -> Void

    init(
        router: Router, gate: HandlerGate, limits: WireLimits, idleTimeout: TimeAmount, firstRequestTimeout: TimeAmount,
        logger: Logger, onFirstRequest: @escaping @Sendable () -> Void = {}
    ) {
        self.session = GRPCServerSession(limits: limits)
        self.router = router
        self.gate = gate
        self.idleTimeout = idleTimeout
        self.firstRequestTimeout = firstRequestTimeout
        self.logger = logger
        self.onFirstRequest = onFirstRequest
    }

    /// A connection that sends no request within `firstRequestTimeout` of being accepted (a
    /// stalled TLS handshake, a preface and nothing more) gets GOAWAY and is closed, well before
    /// the idle timeout would: such connections only hold a place.
    private func armFirstRequestTimer() {
        guard let context = channelContext, firstRequestTimer == nil, !sentRequest, !shuttingDown, !closed else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        firstRequestTimer = context.eventLoop.scheduleTask(in: firstRequestTimeout) {
            let handler = bound.value
            guard !handler.sentRequest else { return }
            handler.logger.debug("closing a connection that sent no request", metadata: ["peer": "\(handler.peer.address)"])
            handler.beginGracefulShutdown()
        }
    }

    /// The first request's HEADERS arrived: the connection is a client's, not a placeholder.
    private func noteFirstRequest() {
        guard !sentRequest else { return }
        sentRequest = true
        firstRequestTimer?.cancel()
        firstRequestTimer = nil
        onFirstRequest()
    }

    /// A connection with no call for `idleTimeout` is told GOAWAY and closed, so idle or stalled
    /// connections (a request whose headers never complete, say) do not hold resources for ever.
    /// One timer per connection, re-armed when it fires: calls only note the time they end, so the
    /// per-call cost is a clock read rather than scheduling and cancelling a timer.
    private var lastActivity = NIODeadline.now()

    private func armIdleTimer() {
        guard let context = channelContext, idleTimer == nil, !shuttingDown, !closed else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let due = calls.isEmpty ? lastActivity + idleTimeout : NIODeadline.now() + idleTimeout
        idleTimer = context.eventLoop.scheduleTask(deadline: due) {
            let handler = bound.value
            handler.idleTimer = nil
            if handler.calls.isEmpty, NIODeadline.now() >= handler.lastActivity + handler.idleTimeout {
                handler.beginGracefulShutdown()
            } else {
                handler.armIdleTimer()
            }
        }
    }

    private func disarmIdleTimer() {
        idleTimer?.cancel()
        idleTimer = nil
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        channelContext = context
        executor = EventLoopTaskExecutor(context.eventLoop)
        if let address = context.channel.remoteAddress {
            peer.address = Self.describe(address)
        }
        if context.channel.isActive {
            armIdleTimer()
            armFirstRequestTimer()
            writeOutput()
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer()
        armFirstRequestTimer()
        writeOutput()
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            peer.certificate = Self.peerIdentity(context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        reading = true
        do {
            try buffer.withUnsafeReadableBytes { try session.receive($0) }
        } catch {
            logger.debug("closing connection after HTTP/2 error", metadata: ["peer": "\(peer.address)", "error": "\(error)"])
            writeOutput()
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
        closed = true
        disarmIdleTimer()
        firstRequestTimer?.cancel()
        firstRequestTimer = nil
        for call in calls.values {
            cancel(call, RPCError(.unavailable, "the connection closed"))
        }
        calls.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["peer": "\(peer.address)", "error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: - Output

    /// Writes everything nghttp2 has queued as one buffer, once per burst of work.
    private func writeOutput() {
        guard let context = channelContext, !closed else { return }
        let buffer: ByteBuffer?
        do {
            buffer = try session.drainOutput(context.channel.allocator)
        } catch {
            context.close(promise: nil)
            return
        }
        processEvents()
        if let buffer {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        if !session.isAlive || (shuttingDown && calls.isEmpty && !session.wantsWrite) {
            closed = true
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

    // MARK: - Calls

    private func processEvents() {
        while true {
            let events = session.takeEvents()
            if events.isEmpty { return }
            for event in events {
                switch event {
                case .callStarted(let start): startCall(start)
                case .message(let streamID, let bytes): received(streamID, bytes)
                case .requestEnded(let streamID): requestEnded(streamID)
                case .callCancelled(let streamID, let error):
                    if let call = calls.removeValue(forKey: streamID) {
                        cancel(call, error)
                        lastActivity = .now()
                    }
                case .writable(let streamID):
                    if let call = calls[streamID] {
                        let waiters = call.writableWaiters
                        call.writableWaiters = []
                        for waiter in waiters { waiter.succeed() }
                    }
                }
            }
        }
    }

    private func startCall(_ start: CallStart) {
        guard let context = channelContext else { return }
        noteFirstRequest()
        guard let method = router.method(forPath: start.path) else {
            let message =
                router.hasService(forPath: start.path)
                ? "method \(start.path) is not implemented"
                : "service of \(start.path) is not implemented by this server"
            session.sendStatus(start.streamID, .unimplemented, message)
            return
        }
        guard gate.enter() else {
            if let observer = method.observer {
                observer.callStarted()
                observer.callFinished(.resourceExhausted, nanoseconds: 0)
            }
            session.sendStatus(
                start.streamID, .resourceExhausted,
                "the server is running its limit of \(gate.limit) calls at once; retry later")
            return
        }
        let deadline = start.timeoutNanoseconds.map { ContinuousClock.now + .nanoseconds($0) }
        let serverContext = ServerContext(
            method: method.descriptor, requestMetadata: start.metadata, deadline: deadline, peer: peer,
            interceptor: router.interceptor)
        let call = Call(streamID: start.streamID, method: method, context: serverContext)
        method.observer?.callStarted()
        calls[start.streamID] = call
        lastActivity = .now()
        if let nanoseconds = start.timeoutNanoseconds {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            call.deadlineTimer = context.eventLoop.scheduleTask(in: .nanoseconds(min(nanoseconds, Int64.max / 2))) {
                bound.value.deadlineExpired(start.streamID)
            }
        }
        if case .streaming = method.handler {
            let loop = context.eventLoop
            let bound = NIOLoopBound(self, eventLoop: loop)
            let streamID = start.streamID
            call.queue = MessageQueue(onDrained: {
                loop.execute { bound.value.resumeInput(streamID) }
            })
            run(call)
        }
    }

    private func received(_ streamID: Int32, _ bytes: [UInt8]) {
        guard let call = calls[streamID] else { return }
        if let queue = call.queue {
            if queue.push(bytes) { session.setPaused(streamID, true) }
        } else {
            call.unaryMessageCount += 1
            if call.unaryMessageCount == 1 { call.unaryRequest = bytes }
        }
    }

    private func resumeInput(_ streamID: Int32) {
        guard calls[streamID] != nil else { return }
        session.setPaused(streamID, false)
        scheduleFlush()
    }

    private func requestEnded(_ streamID: Int32) {
        guard let call = calls[streamID] else { return }
        if let queue = call.queue {
            queue.finish()
        } else if call.unaryMessageCount == 1 {
            run(call)
        } else {
            finish(
                call, .failure(RPCError(.internal, "a unary call takes exactly one request message, got \(call.unaryMessageCount)")))
        }
    }

    private func run(_ call: Call) {
        guard let context = channelContext, let executor else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let streamID = call.streamID
        let serverContext = call.context
        let gate = self.gate
        call.holdsGate = false
        switch call.method.handler {
        case .unary(let handler):
            let request = call.unaryRequest ?? []
            call.unaryRequest = nil
            call.task = startTask(executor: executor, gate: gate, loop: loop) {
                try await handler(request, serverContext)
            } completion: { result in
                bound.value.complete(streamID, result)
            }
        case .streaming(let handler):
            let requests = RawRequestStream(queue: call.queue!)
            let writer = RawResponseWriter(send: { framed in
                try await loop.flatSubmit { bound.value.send(streamID, framed) }.get()
            })
            call.task = startTask(executor: executor, gate: gate, loop: loop) {
                try await handler(requests, writer, serverContext)
                return []
            } completion: { result in
                bound.value.complete(streamID, result)
            }
        }
    }


    /// A streaming handler's write: queue the message, and make the writer wait while the
    /// stream has more queued than its limit.
    private func send(_ streamID: Int32, _ framed: [UInt8]) -> EventLoopFuture<Void> {
        guard let context = channelContext else { fatalError("send before handlerAdded") }
        guard let call = calls[streamID], !call.done else {
            return context.eventLoop.makeFailedFuture(RPCError(.cancelled, "the call is over"))
        }
        sendInitialMetadataIfNeeded(call)
        session.sendMessage(streamID, framed)
        scheduleFlush()
        if session.mustWaitForWritable(streamID) {
            let promise = context.eventLoop.makePromise(of: Void.self)
            call.writableWaiters.append(promise)
            return promise.futureResult
        }
        return context.eventLoop.makeSucceededVoidFuture()
    }

    private func sendInitialMetadataIfNeeded(_ call: Call) {
        let metadata = call.context.takeResponseMetadata()
        session.sendInitialMetadata(call.streamID, metadata)
    }

    private func complete(_ streamID: Int32, _ result: Result<[UInt8], any Error>) {
        guard let call = calls[streamID] else { return }
        call.task = nil
        finish(call, result)
    }

    /// Sends the outcome of a call: for unary and client-streaming calls the response message,
    /// then the status with the trailing metadata.
    private func finish(_ call: Call, _ result: Result<[UInt8], any Error>) {
        guard !call.done else { return }
        call.done = true
        releaseGate(call)
        calls.removeValue(forKey: call.streamID)
        lastActivity = .now()
        call.deadlineTimer?.cancel()
        for waiter in call.writableWaiters { waiter.fail(RPCError(.cancelled, "the call is over")) }
        call.writableWaiters = []
        call.queue?.fail(RPCError(.cancelled, "the call is over"))
        switch result {
        case .success(var response):
            if case .unary = call.method.handler {
                GRPCFraming.writePrefix(&response)
                sendInitialMetadataIfNeeded(call)
                session.sendMessage(call.streamID, response)
            } else {
                sendInitialMetadataIfNeeded(call)
            }
            session.sendStatus(call.streamID, .ok, "", trailers: call.context.trailingMetadata)
            call.observeEnd(.ok)
        case .failure(let error):
            let status = Self.status(for: error, logger: logger, method: call.method.descriptor)
            call.observeEnd(status.code)
            var trailers = call.context.trailingMetadata
            for entry in status.metadata { trailers.add(entry.key, entry.value) }
            // Initial metadata the handler set before failing still goes out, as headers before
            // the trailers; with none, the status is a Trailers-Only response.
            let initial = call.context.takeResponseMetadata()
            if !initial.isEmpty { session.sendInitialMetadata(call.streamID, initial) }
            session.sendStatus(call.streamID, status.code, status.message, trailers: trailers)
        }
        scheduleFlush()
    }

    /// Handlers throw `RPCError` for expected outcomes; anything else is a bug whose details
    /// stay in the server log.
    private static func status(for error: any Error, logger: Logger, method: MethodDescriptor) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "the call was cancelled") }
        logger.error("handler failed with an unexpected error", metadata: ["method": "\(method)", "error": "\(error)"])
        return RPCError(.unknown, "the server failed to handle the call")
    }

    private func deadlineExpired(_ streamID: Int32) {
        guard let call = calls[streamID] else { return }
        call.context.markCancelled()
        call.task?.cancel()
        call.queue?.fail(RPCError(.deadlineExceeded, "the deadline passed"))
        finish(call, .failure(RPCError(.deadlineExceeded, "the call's deadline passed before the server finished")))
    }

    /// The call ended from outside (client reset, connection loss): stop the handler. Its later
    /// completion finds no call and only releases the gate.
    private func cancel(_ call: Call, _ error: RPCError) {
        if !call.done { call.observeEnd(error.code) }
        call.done = true
        call.context.markCancelled()
        call.deadlineTimer?.cancel()
        call.task?.cancel()
        call.queue?.fail(error)
        for waiter in call.writableWaiters { waiter.fail(error) }
        call.writableWaiters = []
        releaseGate(call)
    }

    private func releaseGate(_ call: Call) {
        if call.holdsGate {
            call.holdsGate = false
            gate.leave()
        }
    }

    // MARK: - Shutdown

    /// GOAWAY, let calls in flight finish, then close (PROTOCOL-HTTP2.md, RFC 9113 §6.8).
    func beginGracefulShutdown() {
        guard !shuttingDown, let context = channelContext else { return }
        shuttingDown = true
        session.startGracefulShutdown()
        writeOutput()
        // One round trip later no new stream can be in flight; then name the last stream.
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(50)) {
            let handler = bound.value
            handler.session.finishGracefulShutdown()
            handler.writeOutput()
        }
    }

    /// Ends every call still running (after the grace period).
    func forceClose() {
        guard let context = channelContext, !closed else { return }
        for call in calls.values {
            call.task?.cancel()
            finish(call, .failure(RPCError(.unavailable, "the server is shutting down")))
        }
        writeOutput()
        context.close(promise: nil)
    }

    // MARK: - Peer

    private static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4: "ipv4:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: "ipv6:[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: "unix:\(address.pathname ?? "")"
        }
    }

    private static func peerIdentity(_ channel: any Channel) -> PeerCertificateIdentity? {
        guard let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let certificate = handler.peerCertificate
        else { return nil }
        return TLSIdentity.identity(of: certificate)
    }
}

/// Runs a handler as a task on the connection's event loop; gives its place in the gate back and
/// reports the outcome on the loop.
private func startTask(
    executor: EventLoopTaskExecutor, gate: HandlerGate, loop: any EventLoop,
    _ body: @escaping @Sendable () async throws -> [UInt8],
    completion: @escaping @Sendable (Result<[UInt8], any Error>) -> Void
) -> Task<Void, Never> {
    Task(executorPreference: executor) {
        let result: Result<[UInt8], any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        gate.leave()
        if loop.inEventLoop {
            completion(result)
        } else {
            loop.execute { completion(result) }
        }
    }
}
