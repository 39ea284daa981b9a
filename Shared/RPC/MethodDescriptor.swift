import GRPCWire

/// The four gRPC call shapes.
public enum MethodKind: Sendable, Hashable {
    case unary
    case clientStreaming
    case serverStreaming
    case bidirectionalStreaming
}

/// Names one method of one service; `path` is what travels in the `:path` pseudo-header.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Fully qualified service name, e.g. `grpc.testing.TestService`.
    public let service: String
    /// Method name as written in the proto, e.g. `UnaryCall`.
    public let method: String
    public let kind: MethodKind

    public init(service: String, method: String, kind: MethodKind) {
        self.service = service
        self.method = method
        self.kind = kind
    }

    public var path: String { "/\(service)/\(method)" }
    public var description: String { path }
}

/// Options for one client call.
public struct CallOptions: Sendable {
    /// Custom metadata sent with the request headers.
    public var metadata: Metadata
    /// The call fails with DEADLINE_EXCEEDED when it has not finished by then; sent to the server
    /// as `grpc-timeout`.
    public var timeout: Duration?

    public init(metadata: Metadata = Metadata(), timeout: Duration? = nil) {
        self.metadata = metadata
        self.timeout = timeout
    }
}

/// What a unary call returns when the caller wants the metadata too.
public struct UnaryResponse<Message: ProtoMessage>: Sendable {
    public var message: Message
    public var initialMetadata: Metadata
    public var trailingMetadata: Metadata

    public init(message: Message, initialMetadata: Metadata, trailingMetadata: Metadata) {
        self.message = message
        self.initialMetadata = initialMetadata
        self.trailingMetadata = trailingMetadata
    }
}
