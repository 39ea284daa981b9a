import GRPCWire

/// Sees every call a server handles, for metrics: the server asks it once per registered method,
/// when the server is built, for that method's ``ServerMethodObserver``, and tells that observer
/// when each call starts and how it ends. Looking the method up once keeps the per-call cost to
/// what the observer itself does (no table, lock or allocation here); a server without an
/// observer pays nothing.
public protocol ServerCallObserver: Sendable {
    func observer(for method: MethodDescriptor) -> any ServerMethodObserver
}

/// The calls of one method. `callStarted` and `callFinished` come in pairs, each pair on the
/// call's connection thread; different calls may report concurrently.
public protocol ServerMethodObserver: Sendable {
    /// A call was admitted (it holds a place in the server's handler limit).
    func callStarted()
    /// The call ended with `code` after `nanoseconds` since it started: the status the server
    /// sent, or CANCELLED / UNAVAILABLE when the client reset it or the connection closed.
    func callFinished(_ code: StatusCode, nanoseconds: Int64)
}
