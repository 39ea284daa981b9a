import GRPCWire

/// The one interception point of a server: it runs for every call of every hosted service before
/// the method's handler, and decides whether the handler runs at all. The services use it to
/// authenticate the caller and apply the authorization policy (docs/ARCHITECTURE.md, "Who is
/// calling"); a thrown `RPCError` ends the call with that status and the handler never starts.
///
/// `request` is the decoded request of unary and server-streaming methods (so the interceptor can
/// see what the call asks for); client- and bidirectional-streaming methods are intercepted before
/// their first message, with `nil`.
public protocol ServerInterceptor: Sendable {
    func intercept(_ context: ServerContext, request: (any ProtoMessage)?) async throws
}
