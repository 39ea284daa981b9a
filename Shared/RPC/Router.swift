import Synchronization

/// Maps `:path` to the registered method.
struct Router: Sendable {
    private let methods: [String: RegisteredMethod]
    private let services: Set<String>
    /// Runs before every handler (``ServerInterceptor``).
    let interceptor: (any ServerInterceptor)?

    init(
        services definitions: [ServiceDefinition], interceptor: (any ServerInterceptor)? = nil,
        observer: (any ServerCallObserver)? = nil
    ) {
        self.interceptor = interceptor
        var methods: [String: RegisteredMethod] = [:]
        var services = Set<String>()
        for definition in definitions {
            precondition(!services.contains(definition.name), "service \(definition.name) registered twice")
            services.insert(definition.name)
            for var method in definition.methods {
                method.observer = observer?.observer(for: method.descriptor)
                methods[method.descriptor.path] = method
            }
        }
        self.methods = methods
        self.services = services
    }

    func method(forPath path: String) -> RegisteredMethod? { methods[path] }

    func hasService(forPath path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return parts.count == 2 && services.contains(String(parts[0]))
    }

    var serviceNames: [String] { services.sorted() }
}

/// Bounds the handlers running at once across all connections of a server.
final class HandlerGate: Sendable {
    let limit: Int
    private let running = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a place; false when all are taken.
    func enter() -> Bool {
        let newValue = running.add(1, ordering: .relaxed).newValue
        if newValue > limit {
            running.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        running.subtract(1, ordering: .relaxed)
    }

    var current: Int { running.load(ordering: .relaxed) }
}
