"""Service descriptors, server protocols and typed clients (module ProtoServices)."""

from swiftgen import Writer, header


def generate_file(file, model):
    """The Swift source for one .proto file's services, or None if it has none."""
    if not file.services:
        return None
    w = Writer()
    w(header(f"Protos/{file.name}").rstrip("\n"))
    w.blank()
    w("import GRPCWire")
    w("import ProtoMessages")
    w("import RPC")
    for s in file.services:
        emit_service(w, s, model)
    return w.text()


def emit_service(w, s, model):
    def msg(name):
        return model.messages[name].swift_name

    def signature(m):
        """A provider method's declaration, without a body."""
        i_t, o_t = msg(m.input), msg(m.output)
        if m.kind == "unary":
            return f"func {m.swift_name}(request: {i_t}, context: ServerContext) async throws -> {o_t}"
        if m.kind == "clientStreaming":
            return f"func {m.swift_name}(requests: RequestStream<{i_t}>, context: ServerContext) async throws -> {o_t}"
        if m.kind == "serverStreaming":
            return f"func {m.swift_name}(request: {i_t}, responses: ResponseWriter<{o_t}>, context: ServerContext) async throws"
        return f"func {m.swift_name}(requests: RequestStream<{i_t}>, responses: ResponseWriter<{o_t}>, context: ServerContext) async throws"

    w.blank()
    w(f"// MARK: - {s.full_name}")
    w.blank()
    w.doc(s.comment)
    w(f"public enum {s.swift_name} {{")
    w.indent()
    w(f'public static let name = "{s.full_name}"')
    w.blank()
    w("public enum Method {")
    w.indent()
    for m in s.methods:
        w.doc(m.comment)
        w(f'public static let {m.swift_name} = MethodDescriptor(service: "{s.full_name}", method: "{m.name}", kind: .{m.kind})')
    w("public static let all: [MethodDescriptor] = [" + ", ".join(m.swift_name for m in s.methods) + "]")
    w.dedent()
    w("}")
    w.dedent()
    w("}")

    # Server side.
    w.blank()
    w(f"/// Implement this to serve {s.full_name}; `serviceDefinition` comes with it.")
    w(f"public protocol {s.swift_name}Provider: RPCService {{")
    w.indent()
    for i, m in enumerate(s.methods):
        if i:
            w.blank()
        w.doc(m.comment)
        w(signature(m))
    w.dedent()
    w("}")
    w.blank()
    w(f"extension {s.swift_name}Provider {{")
    w.indent()
    w("public var serviceDefinition: ServiceDefinition {")
    w.indent()
    w(f"ServiceDefinition(")
    w.indent()
    w(f"name: {s.swift_name}.name,")
    w("methods: [")
    w.indent()
    for m in s.methods:
        i_t, o_t = msg(m.input), msg(m.output)
        d = f"{s.swift_name}.Method.{m.swift_name}"
        if m.kind == "unary":
            w(f".unary({d}) {{ (request: {i_t}, context: ServerContext) in")
            w(f"    try await self.{m.swift_name}(request: request, context: context)")
        elif m.kind == "clientStreaming":
            w(f".clientStreaming({d}) {{ (requests: RequestStream<{i_t}>, context: ServerContext) in")
            w(f"    try await self.{m.swift_name}(requests: requests, context: context)")
        elif m.kind == "serverStreaming":
            w(f".serverStreaming({d}) {{ (request: {i_t}, responses: ResponseWriter<{o_t}>, context: ServerContext) in")
            w(f"    try await self.{m.swift_name}(request: request, responses: responses, context: context)")
        else:
            w(f".bidirectionalStreaming({d}) {{")
            w(f"    (requests: RequestStream<{i_t}>, responses: ResponseWriter<{o_t}>, context: ServerContext) in")
            w(f"    try await self.{m.swift_name}(requests: requests, responses: responses, context: context)")
        w("},")
    w.dedent()
    w("])")
    w.dedent()
    w.dedent()
    w("}")
    w.dedent()
    w("}")

    # Defaults: a method the provider does not implement answers UNIMPLEMENTED (docs/API.md,
    # Errors), so a service states only what it has built.
    w.blank()
    w(f"/// {s.full_name}: a method the provider does not implement answers UNIMPLEMENTED.")
    w(f"extension {s.swift_name}Provider {{")
    w.indent()
    for i, m in enumerate(s.methods):
        if i:
            w.blank()
        w(f"public {signature(m)} {{")
        w(f'    throw RPCError(.unimplemented, "{m.name} is not implemented yet")')
        w("}")
    w.dedent()
    w("}")

    # Client side.
    w.blank()
    w(f"/// A typed client for {s.full_name}.")
    w(f"public struct {s.swift_name}Client: Sendable {{")
    w.indent()
    w("public let client: RPCClient")
    w.blank()
    w("public init(_ client: RPCClient) { self.client = client }")
    for m in s.methods:
        i_t, o_t = msg(m.input), msg(m.output)
        d = f"{s.swift_name}.Method.{m.swift_name}"
        w.blank()
        w.doc(m.comment)
        if m.kind == "unary":
            w(f"public func {m.swift_name}(_ request: {i_t}, options: CallOptions = CallOptions()) async throws -> {o_t} {{")
            w(f"    try await client.unary({d}, request: request, responseType: {o_t}.self, options: options).message")
        elif m.kind == "serverStreaming":
            w(f"public func {m.swift_name}(_ request: {i_t}, options: CallOptions = CallOptions()) -> ServerStreamingCall<{o_t}> {{")
            w(f"    client.serverStreaming({d}, request: request, responseType: {o_t}.self, options: options)")
        elif m.kind == "clientStreaming":
            w(f"public func {m.swift_name}(options: CallOptions = CallOptions()) -> ClientStreamingCall<{i_t}, {o_t}> {{")
            w(f"    client.clientStreaming({d}, requestType: {i_t}.self, responseType: {o_t}.self, options: options)")
        else:
            w(f"public func {m.swift_name}(options: CallOptions = CallOptions()) -> BidirectionalStreamingCall<{i_t}, {o_t}> {{")
            w(f"    client.bidirectionalStreaming({d}, requestType: {i_t}.self, responseType: {o_t}.self, options: options)")
        w("}")
    w.dedent()
    w("}")
