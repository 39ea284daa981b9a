import GRPCWire
import NIOConcurrencyHelpers
import ProtoMessages
import ProtoServices
import RPC

/// `grpc.health.v1.Health`: "" is the server as a whole; every hosted service has its own status.
public final class HealthService: Grpc_Health_V1_HealthProvider {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status] = [:]
        var watchers: [Int: (service: String, queue: AsyncStream<Status>.Continuation)] = [:]
        var nextWatcher = 0
        /// Set by ``stop()``: watches end after telling their status.
        var stopped = false
    }

    /// Watchers at once; a further Watch gets RESOURCE_EXHAUSTED.
    public static let watchersMax = 1000

    private let state = NIOLockedValueBox(State())

    public init(services: [String]) {
        state.withLockedValue { state in
            state.statuses[""] = .serving
            for service in services { state.statuses[service] = .serving }
        }
    }

    /// Changes a status and tells every watcher of it; after ``stop()`` nothing changes any more
    /// (background work that recovers while the service stops does not make it SERVING again).
    public func setStatus(_ status: Status, for service: String) {
        let watchers = state.withLockedValue { state -> [AsyncStream<Status>.Continuation] in
            guard !state.stopped else { return [] }
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.queue)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Marks everything NOT_SERVING (on shutdown).
    public func markAllNotServing() {
        markAll(.notServing)
    }

    /// On shutdown: everything NOT_SERVING, and every Watch ends (with OK) once it has told its
    /// watcher so, instead of holding the server's drain until the shutdown grace runs out. A
    /// Watch started later tells its status and ends at once.
    public func stop() {
        markAll(.notServing)
        let watchers = state.withLockedValue { state in
            state.stopped = true
            return state.watchers.values.map(\.queue)
        }
        for watcher in watchers { watcher.finish() }
    }

    /// Gives every service, and the server as a whole, `status`.
    public func markAll(_ status: Status) {
        let services = state.withLockedValue { Array($0.statuses.keys) }
        for service in services { setStatus(status, for: service) }
    }

    public func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
        -> Grpc_Health_V1_HealthCheckResponse
    {
        guard let status = state.withLockedValue({ $0.statuses[request.service] }) else {
            throw RPCError(.notFound, "unknown service \(request.service)")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest, responses: ResponseWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(1))
        let registration: (id: Int, current: Status, stopped: Bool)? = state.withLockedValue { state in
            guard state.watchers.count < Self.watchersMax else { return nil }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (request.service, continuation)
            return (id, state.statuses[request.service] ?? .serviceUnknown, state.stopped)
        }
        guard let registration else {
            throw RPCError(.resourceExhausted, "too many health watchers (limit \(Self.watchersMax))")
        }
        defer { _ = state.withLockedValue { $0.watchers.removeValue(forKey: registration.id) } }
        continuation.yield(registration.current)
        if registration.stopped { continuation.finish() }
        var last: Status?
        for await status in stream {
            if status == last { continue }
            last = status
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            try await responses.write(response)
        }
    }
}
