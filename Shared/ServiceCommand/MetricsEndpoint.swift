import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Serves `GET /metrics` in the Prometheus text format over HTTP/1.1 (ADR 0009): on SwiftNIO,
/// which already runs the gRPC server, with NIOHTTP1's parser from the same package. It answers
/// that one request and nothing else (404 for another path, 405 for another method, 413 for a
/// request with a body, at its first byte), closes each connection after its answer, and closes a
/// connection that has not been answered ``requestTimeout`` after it opened (however slowly it
/// drips bytes). The request head is bounded by the HTTP/1 parser's header limit (80 KiB).
public final class MetricsEndpoint: Sendable {
    /// A connection not answered by then is closed.
    public static let requestTimeout: TimeAmount = .seconds(10)
    /// Connections at once; further ones are closed at accept (a scraper needs one).
    public static let connectionsMax = 16

    public let host: String
    public let requestedPort: Int
    let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let group: any EventLoopGroup
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    private let open = ConnectionCount()

    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.requestedPort = port
        self.registry = registry
        self.logger = logger
        self.group = group
    }

    /// Binds; returns the port (the one picked when asked for 0).
    @discardableResult
    public func start() async throws -> Int {
        let registry = self.registry
        let open = self.open
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard open.enter(limit: Self.connectionsMax) else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.leave() }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(MetricsRequestHandler(registry: registry))
                }
            }
            .bind(host: host, port: requestedPort).get()
        listener.withLockedValue { $0 = channel }
        return channel.localAddress?.port ?? requestedPort
    }

    /// Stops accepting; connections in flight end with their one answer or their timeout.
    public func shutdown() async {
        let channel = listener.withLockedValue { listener in
            defer { listener = nil }
            return listener
        }
        try? await channel?.close()
    }
}

/// The endpoint as a service of the executable's group: it serves from before the group runs
/// until the group shuts down (it is listed first, so it stops last and a scrape during the
/// graceful stop still answers).
struct MetricsEndpointService: Service {
    let endpoint: MetricsEndpoint

    func run() async throws {
        try? await gracefulShutdown()
        await endpoint.shutdown()
    }
}

/// Counts connections of the endpoint against its limit.
final class ConnectionCount: Sendable {
    private let count = NIOLockedValueBox(0)

    func enter(limit: Int) -> Bool {
        count.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { count.withLockedValue { $0 -= 1 } }
}

/// One request per connection: `GET /metrics` gets the registry's text, anything else an error.
final class MetricsRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var head: HTTPRequestHead?
    private var hasBody = false
    private var answered = false

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            // A scrape has no body: answer 413 now and close, without reading the rest.
            guard let head, !answered else { return }
            answered = true
            hasBody = true
            respond(context: context, head)
        case .end:
            guard let head, !answered else { return }
            answered = true
            respond(context: context, head)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let timeout = channel.eventLoop.scheduleTask(in: MetricsEndpoint.requestTimeout) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in timeout.cancel() }
    }

    private func respond(context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let (status, body, contentType): (HTTPResponseStatus, [UInt8], String) =
            if hasBody {
                (.payloadTooLarge, Array("a metrics request has no body\n".utf8), "text/plain; charset=utf-8")
            } else if path != "/metrics" {
                (.notFound, Array("only /metrics is served here\n".utf8), "text/plain; charset=utf-8")
            } else if head.method != .GET && head.method != .HEAD {
                (.methodNotAllowed, Array("GET /metrics\n".utf8), "text/plain; charset=utf-8")
            } else {
                (.ok, registry.emitToBuffer(), "text/plain; version=0.0.4; charset=utf-8")
            }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
