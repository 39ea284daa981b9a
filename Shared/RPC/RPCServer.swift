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
    /// Open connections at once from one client address (IP, any port); further ones from it are
    /// closed on accept, before TLS (``ConnectionAdmission``). Loopback is not exempt.
    public var connectionsPerAddressMax = 64
    /// Connections from one client address that have not sent the HEADERS of a first request yet;
    /// further ones from it are closed on accept, before TLS.
    public var connectionsWithoutRequestPerAddressMax = 16
    /// A connection that has not sent the HEADERS of a first request this long after it was
    /// accepted (TLS handshake and HTTP/2 preface included) gets GOAWAY and is closed.
    public var firstRequestTimeoutMilliseconds: Int64 = 10_000
    /// A connection without calls for this long gets GOAWAY and is closed.
    public var connectionIdleMilliseconds: Int64 = 5 * 60 * 1000
    /// How long graceful shutdown lets calls in flight run after GOAWAY before ending them with
    /// UNAVAILABLE and closing their connections.
    public var shutdownGraceMilliseconds: Int64 = 5_000

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
    private let state: NIOLockedValueBox<State>

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: Connection] = [:]
        var admission: ConnectionAdmission
    }

    private struct Connection {
        let channel: any Channel
        /// The client's IP address, the key of ``ConnectionAdmission``.
        let address: String
        var sentRequest = false
    }

    public init(
        configuration: ServerConfiguration, services: [any RPCService], interceptor: (any ServerInterceptor)? = nil,
        logger: Logger = Logger(label: "rpc.server"), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.router = Router(
            services: services.map(\.serviceDefinition), interceptor: interceptor, observer: configuration.callObserver)
        self.gate = HandlerGate(limit: configuration.limits.concurrentHandlersMax)
        self.state = NIOLockedValueBox(State(admission: ConnectionAdmission(limits: configuration.limits)))
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
                let id = ObjectIdentifier(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ServerConnectionHandler(
                            router: router, gate: gate, limits: limits.wire,
                            idleTimeout: .milliseconds(limits.connectionIdleMilliseconds),
                            firstRequestTimeout: .milliseconds(limits.firstRequestTimeoutMilliseconds), logger: logger,
                            onFirstRequest: { [weak self] in self?.firstRequest(id) }))
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

    /// Connections open now from `address` (an IP address as `SocketAddress.ipAddress` writes
    /// it), and how many of them have not sent a request yet.
    public func connectionCount(from address: String) -> (open: Int, withoutRequest: Int) {
        state.withLockedValue { $0.admission.count(from: address) }
    }

    /// The port the server listens on, once started.
    public var port: Int? { state.withLockedValue { $0.listener?.localAddress?.port } }

    /// The key of ``ConnectionAdmission``: the client's IP address, without the port.
    static func admissionAddress(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        switch address {
        case .v4, .v6: return address.ipAddress ?? "unknown"
        case .unixDomainSocket: return "unix"
        }
    }

    /// Asks ``ConnectionAdmission`` on accept: nothing but a close is spent on a refused
    /// connection (no TLS handshake, no HTTP/2 session).
    private func admit(_ channel: any Channel) -> Bool {
        let address = Self.admissionAddress(channel.remoteAddress)
        let id = ObjectIdentifier(channel)
        let decision = state.withLockedValue { state -> ConnectionAdmission.Decision in
            let decision = state.admission.admit(from: address)
            if decision == .admitted { state.connections[id] = Connection(channel: channel, address: address) }
            return decision
        }
        guard decision == .admitted else {
            if decision != .shuttingDown {
                logger.debug("connection refused on accept", metadata: ["address": "\(address)", "reason": "\(decision)"])
            }
            return false
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLockedValue { state in
                if let connection = state.connections.removeValue(forKey: id) {
                    state.admission.closed(from: connection.address, sentRequest: connection.sentRequest)
                }
            }
        }
        return true
    }

    /// A connection sent the HEADERS of its first request: it no longer counts as one without.
    private func firstRequest(_ id: ObjectIdentifier) {
        state.withLockedValue { state in
            guard var connection = state.connections[id], !connection.sentRequest else { return }
            connection.sentRequest = true
            state.connections[id] = connection
            state.admission.firstRequest(from: connection.address)
        }
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
            state.admission.beginShutdown()
            return (state.listener, state.connections.values.map(\.channel))
        }
        try? await listener?.close()
        for channel in connections {
            channel.eventLoop.execute {
                if let handler = try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self) {
                    handler.beginGracefulShutdown()
                }
            }
        }
        let grace = configuration.limits.shutdownGraceMilliseconds
        await withTaskGroup(of: Void.self) { group in
            for channel in connections {
                group.addTask {
                    let timeout = channel.eventLoop.scheduleTask(in: .milliseconds(grace)) {
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
