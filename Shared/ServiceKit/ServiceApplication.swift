/// What a service executable runs: built from its configuration, started, shut down gracefully.
///
/// A stop has two halves with the background work between them (`ServiceMain`): first
/// ``stopServing()`` (new calls are refused at once, calls in flight finish within the server's
/// shutdown grace), then the background work stops, then ``close()`` releases what both used.
public protocol ServiceApplication: Sendable {
    /// Starts serving; returns the bound port.
    func start() async throws -> Int
    /// Marks the services NOT_SERVING, stops accepting, sends GOAWAY on every connection and lets
    /// calls in flight finish (at most `ServerLimits.shutdownGraceMilliseconds`). The database stays
    /// open: the background work may still be finishing a run.
    func stopServing() async
    /// Closes the connections to peers and the database, once nothing uses them any more.
    func close() async
    /// Reflects the background work in health: NOT_SERVING while some of it keeps failing.
    func setServing(_ serving: Bool)
}

extension ServiceApplication {
    /// Stops serving, then closes: for an application run without background work (tests).
    public func shutdown() async {
        await stopServing()
        await close()
    }
}
