import GRPCWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

public struct ClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// nil speaks cleartext HTTP/2 with prior knowledge (h2c).
    public var tls: ClientTLSConfiguration?
    public var limits: WireLimits
    public var connectTimeout: Duration

    public init(host: String, port: Int, tls: ClientTLSConfiguration? = nil, limits: WireLimits = WireLimits(), connectTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.connectTimeout = connectTimeout
    }
}

/// A gRPC client: many concurrent calls multiplexed on one HTTP/2 connection, opened on first use
/// and opened again after it dropped or the server sent GOAWAY.
public final class RPCClient: Sendable {
    public let configuration: ClientConfiguration
    private let loop: any EventLoop
    private let sslContext: NIOSSLContext?
    private let state = NIOLockedValueBox(ConnectionState.idle)

    private struct Connection: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<ClientConnectionHandler>
    }

    private enum ConnectionState {
        case idle
        case connecting(EventLoopFuture<Connection>)
        case ready(Connection)
        case closed
    }

    public init(configuration: ClientConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.configuration = configuration
        self.loop = group.next()
        self.sslContext = try configuration.tls?.makeContext()
    }

    public convenience init(host: String, port: Int, tls: ClientTLSConfiguration? = nil) throws {
        try self.init(configuration: ClientConfiguration(host: host, port: port, tls: tls))
    }

    /// Closes the connection; calls in flight fail with UNAVAILABLE and later calls fail too.
    public func close() async {
        let previous = state.withLockedValue { state -> ConnectionState in
            let previous = state
            state = .closed
            return previous
        }
        switch previous {
        case .ready(let connection):
            await closeConnection(connection)
        case .connecting(let future):
            if let connection = try? await future.get() { await closeConnection(connection) }
        case .idle, .closed:
            break
        }
    }

    private func closeConnection(_ connection: Connection) async {
        connection.channel.eventLoop.execute { connection.handler.value.close() }
        try? await connection.channel.closeFuture.get()
    }

    // MARK: - Connection management

    /// The current connection, or a new one when there is none or it no longer takes calls.
    private func connection() -> EventLoopFuture<Connection> {
        loop.preconditionInEventLoop()
        return state.withLockedValue { state -> EventLoopFuture<Connection> in
            switch state {
            case .ready(let connection):
                if connection.handler.value.acceptsNewCalls { return loop.makeSucceededFuture(connection) }
            case .connecting(let future):
                return future
            case .closed:
                return loop.makeFailedFuture(RPCError(.unavailable, "the client is closed"))
            case .idle:
                break
            }
            let future = connect()
            state = .connecting(future)
            return future
        }
    }

    private func connect() -> EventLoopFuture<Connection> {
        let configuration = self.configuration
        let sslContext = self.sslContext
        let authority = "\(configuration.host):\(configuration.port)"
        let isIPAddress = (try? SocketAddress(ipAddress: configuration.host, port: 0)) != nil
        let sniHostname = configuration.tls?.serverHostname ?? (isIPAddress ? nil : configuration.host)
        let timeout = configuration.connectTimeout.components
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: sniHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ClientConnectionHandler(
                            limits: configuration.limits, authority: authority, scheme: sslContext == nil ? "http" : "https"))
                }
            }
        let future = bootstrap.connect(host: configuration.host, port: configuration.port).flatMapThrowing {
            (channel: any Channel) -> Connection in
            let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
            return Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }.flatMapErrorThrowing { (error: any Error) -> Connection in
            throw RPCError(.unavailable, "cannot connect to \(authority): \(error)")
        }
        future.whenComplete { [weak self] (result: Result<Connection, any Error>) in
            guard let self else { return }
            switch result {
            case .success(let connection):
                self.state.withLockedValue { state in
                    if case .connecting = state { state = .ready(connection) }
                }
                connection.channel.closeFuture.whenComplete { [weak self] _ in
                    self?.state.withLockedValue { state in
                        if case .ready(let current) = state, current.channel === connection.channel { state = .idle }
                    }
                }
            case .failure:
                self.state.withLockedValue { state in
                    if case .connecting = state { state = .idle }
                }
            }
        }
        return future
    }

    /// Creates the call's state and starts it on the connection.
    private func startCall(
        _ method: MethodDescriptor, options: CallOptions, firstMessage: [UInt8]?, endOfRequest: Bool
    ) -> ClientCallCore {
        let core = ClientCallCore(loop: loop, method: method, options: options)
        loop.execute {
            self.connection().whenComplete { result in
                switch result {
                case .success(let connection):
                    connection.handler.value.start(core, firstMessage: firstMessage, endOfRequest: endOfRequest)
                case .failure(let error):
                    let rpcError = error as? RPCError ?? RPCError(.unavailable, "\(error)")
                    core.finish(CallStatus(code: rpcError.code, message: rpcError.message, trailingMetadata: Metadata()))
                }
            }
        }
        return core
    }

    // MARK: - Calls

    public func unary<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor, request: Input, responseType: Output.Type = Output.self, options: CallOptions = CallOptions()
    ) async throws -> UnaryResponse<Output> {
        var framed = request.protobufBytes(headroom: GRPCFraming.prefixBytes)
        GRPCFraming.writePrefix(&framed)
        let core = startCall(method, options: options, firstMessage: framed, endOfRequest: true)
        return try await withTaskCancellationHandler {
            let status = await core.awaitStatus()
            if let error = status.error { throw error }
            let initialMetadata = try await core.awaitInitialMetadata()
            guard let bytes = try await core.responses.next() else {
                throw RPCError(.internal, "the server sent status OK without a response message")
            }
            let message: Output
            do {
                message = try Output(protobufBytes: bytes)
            } catch {
                throw RPCError(.internal, "response is not a valid \(Output.protoMessageName)")
            }
            return UnaryResponse(message: message, initialMetadata: initialMetadata, trailingMetadata: status.trailingMetadata)
        } onCancel: {
            core.cancel()
        }
    }

    public func serverStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor, request: Input, responseType: Output.Type = Output.self, options: CallOptions = CallOptions()
    ) -> ServerStreamingCall<Output> {
        var framed = request.protobufBytes(headroom: GRPCFraming.prefixBytes)
        GRPCFraming.writePrefix(&framed)
        return ServerStreamingCall(core: startCall(method, options: options, firstMessage: framed, endOfRequest: true))
    }

    public func clientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor, requestType: Input.Type = Input.self, responseType: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) -> ClientStreamingCall<Input, Output> {
        ClientStreamingCall(core: startCall(method, options: options, firstMessage: nil, endOfRequest: false))
    }

    public func bidirectionalStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodDescriptor, requestType: Input.Type = Input.self, responseType: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) -> BidirectionalStreamingCall<Input, Output> {
        BidirectionalStreamingCall(core: startCall(method, options: options, firstMessage: nil, endOfRequest: false))
    }
}
