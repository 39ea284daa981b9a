import CoreMetrics
import Foundation
import GRPCWire
import Prometheus
import RPC
import ServiceKit
import Testing

@testable import ServiceCommand

/// The metrics' names, labels and exposition (issue 8, item 9).
@Suite("metric names and formatting")
struct MetricsFormatTests {
    @Test("every metric of the catalog has a valid, unique, recs_-prefixed name, valid label names and help")
    func catalog() {
        let names = ServiceMetrics.catalog.map(\.name)
        #expect(Set(names).count == names.count)
        for metric in ServiceMetrics.catalog {
            #expect(metric.name.hasPrefix("recs_"), "\(metric.name)")
            #expect(ServiceMetrics.isValidName(metric.name), "\(metric.name)")
            #expect(metric.labels.allSatisfy { ServiceMetrics.isValidName($0, allowingColons: false) && !$0.hasPrefix("__") })
            #expect(!metric.help.isEmpty)
            #expect(metric.kind == .counter ? metric.name.hasSuffix("_total") : !metric.name.hasSuffix("_total"))
            #expect(metric.kind == .histogram ? !metric.buckets.isEmpty && metric.name.hasSuffix("_seconds") : metric.buckets.isEmpty)
        }
        #expect(!ServiceMetrics.isValidName("9lives"))
        #expect(!ServiceMetrics.isValidName("a-b"))
        #expect(!ServiceMetrics.isValidName("a:b", allowingColons: false))
    }

    @Test("latency buckets run from 0.1 ms to 10 s in increasing order")
    func buckets() {
        #expect(ServiceMetrics.latencyBuckets.first == .microseconds(100))
        #expect(ServiceMetrics.latencyBuckets.last == .seconds(10))
        #expect(zip(ServiceMetrics.latencyBuckets, ServiceMetrics.latencyBuckets.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test(
        "method and code labels",
        arguments: [
            (MethodDescriptor(service: "recs.transfer.v1.TransferService", method: "GetTransfer", kind: .unary), StatusCode.ok,
             "recs.transfer.v1.TransferService/GetTransfer", "OK"),
            (MethodDescriptor(service: "grpc.health.v1.Health", method: "Watch", kind: .serverStreaming), .notFound,
             "grpc.health.v1.Health/Watch", "NOT_FOUND"),
            (MethodDescriptor(service: "s", method: "m", kind: .unary), .deadlineExceeded, "s/m", "DEADLINE_EXCEEDED"),
        ])
    func labels(method: MethodDescriptor, code: StatusCode, methodLabel: String, codeLabel: String) {
        #expect(ServiceMetrics.methodLabel(method) == methodLabel)
        #expect(ServiceMetrics.codeLabel(code) == codeLabel)
    }

    @Test("the factory exports HELP and TYPE from the catalog, labels as given, a timer as a histogram in seconds")
    func exposition() {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusCatalogFactory(registry: registry)
        let counter = Counter(
            label: ServiceMetrics.rpcRequests.name, dimensions: [("method", "s/m"), ("code", "OK")], factory: factory)
        counter.increment(by: 2)
        let timer = Timer(label: ServiceMetrics.rpcDuration.name, dimensions: [("method", "s/m")], factory: factory)
        timer.recordNanoseconds(3_000_000)
        let meter = Meter(label: ServiceMetrics.rpcInFlight.name, dimensions: [("method", "s/m")], factory: factory)
        meter.increment()
        let text = registry.emitToString()
        #expect(text.contains("# HELP recs_rpc_requests_total \(ServiceMetrics.rpcRequests.help)"))
        #expect(text.contains("# TYPE recs_rpc_requests_total counter"))
        #expect(text.contains(#"recs_rpc_requests_total{method="s/m",code="OK"} 2"#))
        #expect(text.contains("# TYPE recs_rpc_request_duration_seconds histogram"))
        #expect(text.contains(#"recs_rpc_request_duration_seconds_bucket{method="s/m",le="0.0025"} 0"#))
        #expect(text.contains(#"recs_rpc_request_duration_seconds_bucket{method="s/m",le="0.005"} 1"#))
        #expect(text.contains(#"recs_rpc_request_duration_seconds_count{method="s/m"} 1"#))
        #expect(text.contains(#"recs_rpc_requests_in_flight{method="s/m"} 1"#))
    }
}
