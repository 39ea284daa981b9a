import NIOConcurrencyHelpers
import GRPCWire

/// Who is on the other end of a call.
public struct PeerInfo: Sendable, Hashable {
    /// `ipv4:127.0.0.1:5000` style, as gRPC prints peers.
    public var address: String
    /// Present when the peer authenticated with a client certificate (mutual TLS).
    public var certificate: PeerCertificateIdentity?

    public init(address: String, certificate: PeerCertificateIdentity? = nil) {
        self.address = address
        self.certificate = certificate
    }
}

/// The identity in a verified client certificate.
public struct PeerCertificateIdentity: Sendable, Hashable {
    public var commonName: String?
    /// DNS names, IP addresses and URIs (e.g. SPIFFE ids) from subjectAltName.
    public var subjectAlternativeNames: [String]

    public init(commonName: String?, subjectAlternativeNames: [String]) {
        self.commonName = commonName
        self.subjectAlternativeNames = subjectAlternativeNames
    }
}

/// Everything a handler knows about its call, and the metadata it sends back.
public final class ServerContext: Sendable {
    public let method: MethodDescriptor
    public let requestMetadata: Metadata
    /// When the client's `grpc-timeout` runs out; the server ends the call with DEADLINE_EXCEEDED then.
    public let deadline: ContinuousClock.Instant?
    public let peer: PeerInfo

    /// Runs before the handler (``ServerInterceptor``); nil when the server has none.
    let interceptor: (any ServerInterceptor)?

    private struct Mutable {
        var authenticated: (any Sendable)?
        var responseMetadata = Metadata()
        var trailingMetadata = Metadata()
        var initialMetadataSent = false
        var cancelled = false
    }

    private let mutable = NIOLockedValueBox(Mutable())

    init(
        method: MethodDescriptor, requestMetadata: Metadata, deadline: ContinuousClock.Instant?, peer: PeerInfo,
        interceptor: (any ServerInterceptor)? = nil
    ) {
        self.method = method
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.peer = peer
        self.interceptor = interceptor
    }

    /// What the interceptor established about the caller (the services keep their authenticated
    /// caller here), for the handler to read.
    public var authenticated: (any Sendable)? {
        get { mutable.withLockedValue { $0.authenticated } }
        set { mutable.withLockedValue { $0.authenticated = newValue } }
    }

    /// Runs the server's interceptor, if any, before the handler.
    func intercept(_ request: (any ProtoMessage)?) async throws {
        try await interceptor?.intercept(self, request: request)
    }

    /// Initial metadata, sent with the response headers (before the first response message, or
    /// with the status when there is none). Changes after that are ignored.
    public var responseMetadata: Metadata {
        get { mutable.withLockedValue { $0.responseMetadata } }
        set { mutable.withLockedValue { if !$0.initialMetadataSent { $0.responseMetadata = newValue } } }
    }

    /// Trailing metadata, sent with the status.
    public var trailingMetadata: Metadata {
        get { mutable.withLockedValue { $0.trailingMetadata } }
        set { mutable.withLockedValue { $0.trailingMetadata = newValue } }
    }

    /// True once the client cancelled, the deadline passed or the server is shutting down hard.
    public var isCancelled: Bool { mutable.withLockedValue { $0.cancelled } }

    func markCancelled() { mutable.withLockedValue { $0.cancelled = true } }

    /// Takes the initial metadata for sending; later changes no longer apply.
    func takeResponseMetadata() -> Metadata {
        mutable.withLockedValue {
            $0.initialMetadataSent = true
            return $0.responseMetadata
        }
    }
}
