import CoreMetrics
import GRPCWire
import RPC
import Synchronization

/// Records every call of a server through swift-metrics (``ServiceMetrics/rpcRequests``,
/// ``ServiceMetrics/rpcDuration``, ``ServiceMetrics/rpcInFlight``). The server asks for one
/// ``MethodMetrics`` per method when it is built; a method's metrics are created on its first call
/// and kept in atomic lazy references, so a call costs two atomic loads and the metrics' own
/// updates, with no lock or table look-up here, and methods never called export nothing.
public struct RPCMetrics: ServerCallObserver {
    public init() {}

    public func observer(for method: MethodDescriptor) -> any ServerMethodObserver {
        MethodMetrics(method: ServiceMetrics.methodLabel(method))
    }
}

/// The metrics of one method.
final class MethodMetrics: ServerMethodObserver {
    let method: String
    private let requests: [LazyMetric<Counter>]
    private let duration: LazyMetric<Timer>
    private let inFlight: LazyMetric<Meter>

    init(method: String) {
        self.method = method
        requests = StatusCode.allCases.map { code in
            LazyMetric {
                Counter(
                    label: ServiceMetrics.rpcRequests.name,
                    dimensions: [("method", method), ("code", ServiceMetrics.codeLabel(code))])
            }
        }
        duration = LazyMetric { Timer(label: ServiceMetrics.rpcDuration.name, dimensions: [("method", method)]) }
        inFlight = LazyMetric { Meter(label: ServiceMetrics.rpcInFlight.name, dimensions: [("method", method)]) }
    }

    func callStarted() {
        inFlight.value.increment()
    }

    func callFinished(_ code: StatusCode, nanoseconds: Int64) {
        inFlight.value.decrement()
        duration.value.recordNanoseconds(nanoseconds)
        requests[code.rawValue].value.increment()
    }
}

/// A metric made on first use and then read with one atomic load. Two threads racing to make it
/// both ask the factory, which answers the same metric for the same name and labels.
final class LazyMetric<Metric: AnyObject & Sendable>: Sendable {
    private let reference = AtomicLazyReference<Metric>()
    private let make: @Sendable () -> Metric

    init(_ make: @escaping @Sendable () -> Metric) {
        self.make = make
    }

    var value: Metric {
        if let metric = reference.load() { return metric }
        return reference.storeIfNil(make())
    }
}
