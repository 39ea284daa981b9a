/// What a service executable runs: built from its configuration, started, shut down gracefully.
public protocol ServiceApplication: Sendable {
    /// Starts serving; returns the bound port.
    func start() async throws -> Int
    /// Marks the services NOT_SERVING, drains calls in flight, closes the database.
    func shutdown() async
    /// Reflects the background work in health: NOT_SERVING while some of it keeps failing.
    func setServing(_ serving: Bool)
}

