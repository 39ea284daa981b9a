import GRPCWire

/// A service a server can host. Generated `…Provider` protocols refine this and supply
/// `serviceDefinition` in an extension, so an implementation only writes the methods.
public protocol RPCService: Sendable {
    var serviceDefinition: ServiceDefinition { get }
}

/// A service's name and its methods, as the server routes them.
public struct ServiceDefinition: Sendable {
    public let name: String
    public let methods: [RegisteredMethod]

    public init(name: String, methods: [RegisteredMethod]) {
        self.name = name
        self.methods = methods
    }
}

/// Checks one encoded request message before it is decoded; throws the status the call ends with
/// (the services' request limits, ServiceKit's `RequestLimitChecker`).
public typealias RequestCheck = @Sendable (_ message: [UInt8]) throws -> Void

/// Gives the check of each method's request messages, or nil for a method it does not check.
public protocol RequestChecker: Sendable {
    func check(for method: MethodDescriptor) -> RequestCheck?
}

extension ServiceDefinition {
    /// The same service with every request message of every method `checker` knows checked
    /// before it is decoded, so before the interceptor and the handler do any work: the one point
    /// every method of the service passes, the generated UNIMPLEMENTED defaults included.
    public func checkingRequests(with checker: any RequestChecker) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            methods: methods.map { method in
                guard let check = checker.check(for: method.descriptor) else { return method }
                var checked = method
                switch method.handler {
                case .unary(let handler):
                    checked.handler = .unary { bytes, context in
                        try check(bytes)
                        return try await handler(bytes, context)
                    }
                case .streaming(let handler):
                    checked.handler = .streaming { requests, responses, context in
                        var requests = requests
                        requests.check = check
                        try await handler(requests, responses, context)
                    }
                }
                return checked
            })
    }
}

/// A service whose request messages are checked (``ServiceDefinition/checkingRequests(with:)``).
public struct CheckedService: RPCService {
    public let serviceDefinition: ServiceDefinition

    public init(_ service: any RPCService, checker: any RequestChecker) {
        serviceDefinition = service.serviceDefinition.checkingRequests(with: checker)
    }
}

/// One method with a handler that works on raw message bytes; the typed constructors below wrap a
/// typed handler with decoding and encoding.
public struct RegisteredMethod: Sendable {
    public let descriptor: MethodDescriptor
    var handler: RawHandler
    /// The server's observer of this method's calls (``ServerCallObserver``), set by the router.
    var observer: (any ServerMethodObserver)?

    enum RawHandler: Sendable {
        case unary(@Sendable ([UInt8], ServerContext) async throws -> [UInt8])
        case streaming(@Sendable (RawRequestStream, RawResponseWriter, ServerContext) async throws -> Void)
    }
}

extension RegisteredMethod {
    /// The gRPC message prefix: one flag byte and a four-byte big-endian length.
    static let messagePrefixBytes = 5

    public static func unary<Input: ProtoMessage, Output: ProtoMessage>(
        _ descriptor: MethodDescriptor,
        _ handler: @escaping @Sendable (Input, ServerContext) async throws -> Output
    ) -> RegisteredMethod {
        precondition(descriptor.kind == .unary)
        return RegisteredMethod(
            descriptor: descriptor,
            handler: .unary { bytes, context in
                let request = try decode(Input.self, bytes)
                try await context.intercept(request)
                let response = try await handler(request, context)
                return response.protobufBytes(headroom: messagePrefixBytes)
            })
    }

    public static func clientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ descriptor: MethodDescriptor,
        _ handler: @escaping @Sendable (RequestStream<Input>, ServerContext) async throws -> Output
    ) -> RegisteredMethod {
        precondition(descriptor.kind == .clientStreaming)
        return RegisteredMethod(
            descriptor: descriptor,
            handler: .streaming { requests, responses, context in
                try await context.intercept(nil)
                let response = try await handler(RequestStream(raw: requests), context)
                try await responses.write(response.protobufBytes(headroom: messagePrefixBytes))
            })
    }

    public static func serverStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ descriptor: MethodDescriptor,
        _ handler: @escaping @Sendable (Input, ResponseWriter<Output>, ServerContext) async throws -> Void
    ) -> RegisteredMethod {
        precondition(descriptor.kind == .serverStreaming)
        return RegisteredMethod(
            descriptor: descriptor,
            handler: .streaming { requests, responses, context in
                let request = try await requests.single(Input.self)
                try await context.intercept(request)
                try await handler(request, ResponseWriter(raw: responses), context)
            })
    }

    public static func bidirectionalStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ descriptor: MethodDescriptor,
        _ handler: @escaping @Sendable (RequestStream<Input>, ResponseWriter<Output>, ServerContext) async throws
            -> Void
    ) -> RegisteredMethod {
        precondition(descriptor.kind == .bidirectionalStreaming)
        return RegisteredMethod(
            descriptor: descriptor,
            handler: .streaming { requests, responses, context in
                try await context.intercept(nil)
                try await handler(RequestStream(raw: requests), ResponseWriter(raw: responses), context)
            })
    }

    /// Bytes that do not decode as the method's request are the caller's mistake: INVALID_ARGUMENT
    /// naming the message expected (issue 8; a server's own failure would be INTERNAL).
    static func decode<Message: ProtoMessage>(_ type: Message.Type, _ bytes: [UInt8]) throws -> Message {
        do {
            return try Message(protobufBytes: bytes)
        } catch {
            throw RPCError(.invalidArgument, "the request is not a valid \(Message.protoMessageName) message (\(bytes.count) bytes)")
        }
    }
}
