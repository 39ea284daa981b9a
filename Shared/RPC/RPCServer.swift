import GRPCWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Limits of a server, on top of the wire limits.
public struct ServerLimits: Sendable {
    public var wire = WireLimits()
    /// Handlers running at once across all connections; calls beyond it get RESOURCE_EXHAUSTED.
    public var concurrentHandlersMax = 4096
    /// Open connections at once; further ones are closed on accept.
    public var connectionsMax = 10_000
    /// A connection without calls for this long gets GOAWAY and is closed.
    public var connectionIdleMilliseconds: Int64 = 5 * 60 * 1000
    /// How long graceful shutdown waits for calls in flight before ending them.
    public var shutdownGraceSeconds: Int64 = 10

    public init() {}
}

public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; `RPCServer.port` tells which.
    public var port: Int
    /// nil serves cleartext HTTP/2 with prior knowledge (h2c), for local use.
    public var tls: ServerTLSConfiguration?
    public var limits: ServerLimits
    /// Told of every call's start and end (metrics); nil observes nothing.
    public var callObserver: (any ServerCallObserver)?

    public init(
        host: String = "127.0.0.1", port: Int, tls: ServerTLSConfiguration? = nil, limits: ServerLimits = ServerLimits(),
        callObserver: (any ServerCallObserver)? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.callObserver = callObserver
    }
}

/// A gRPC server: SwiftNIO accepts connections; each gets its own nghttp2 session on its event
/// loop (see `ServerConnectionHandler`).
public final class RPCServer: Sendable {
    public let configuration: ServerConfiguration
    private let router: Router
    private let gate: HandlerGate
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    public init(
        configuration: ServerConfiguration, services: [any RPCService], interceptor: (any ServerInterceptor)? = nil,
        logger: Logger = Logger(label: "rpc.server"), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.router = Router(
            services: services.map(\.serviceDefinition), interceptor: interceptor, observer: configuration.callObserver)
        self.gate = HandlerGate(limit: configuration.limits.concurrentHandlersMax)
        self.logger = logger
        self.group = group
    }

    /// The names of the services this server hosts.
    public var serviceNames: [String] { router.serviceNames }

    /// Binds and starts accepting connections. Returns the port it listens on.
    @discardableResult
    public func start() async throws -> Int {
        let sslContext = try configuration.tls?.makeContext()
        let router = self.router
        let gate = self.gate
        let logger = self.logger
        let limits = configuration.limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [weak self] channel in
                guard let self, self.admit(channel) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ServerConnectionHandler(
                            router: router, gate: gate, limits: limits.wire,
                            idleTimeout: .milliseconds(limits.connectionIdleMilliseconds), logger: logger))
                }
            }
        let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        state.withLockedValue { $0.listener = listener }
        let port = listener.localAddress?.port ?? configuration.port
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)", "tls": "\(configuration.tls != nil)"])
        return port
    }

    /// Connections open now.
    public var connectionCount: Int { state.withLockedValue { $0.connections.count } }

    /// The port the server listens on, once started.
    public var port: Int? { state.withLockedValue { $0.listener?.localAddress?.port } }

    private func admit(_ channel: any Channel) -> Bool {
        let admitted = state.withLockedValue { state -> Bool in
            guard !state.shuttingDown, state.connections.count < configuration.limits.connectionsMax else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                _ = self?.state.withLockedValue { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return admitted
    }

    /// Waits until the listener closes (after `shutdown`).
    public func waitUntilClosed() async throws {
        let listener = state.withLockedValue { $0.listener }
        try await listener?.closeFuture.get()
    }

    /// Stops accepting, sends GOAWAY on every connection, lets calls in flight finish for up to
    /// the grace period, then closes what is left.
    public func shutdown() async {
        let (listener, connections) = state.withLockedValue { state in
            state.shuttingDown = true
            return (state.listener, Array(state.connections.values))
        }
        try? await listener?.close()
        for channel in connections {
            channel.eventLoop.execute {
                if let handler = try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self) {
                    handler.beginGracefulShutdown()
                }
            }
        }
        let grace = configuration.limits.shutdownGraceSeconds
        await withTaskGroup(of: Void.self) { group in
            for channel in connections {
                group.addTask {
                    let timeout = channel.eventLoop.scheduleTask(in: .seconds(grace)) {
                        if let handler = try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self) {
                            handler.forceClose()
                        } else {
                            channel.close(promise: nil)
                        }
                    }
                    try? await channel.closeFuture.get()
                    timeout.cancel()
                }
            }
        }
        logger.info("stopped")
    }
}
