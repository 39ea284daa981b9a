import CoreMetrics
import Prometheus
import ServiceKit

/// swift-metrics onto a Prometheus registry, with each metric's HELP text and histogram buckets
/// from ``ServiceMetrics/catalog``. swift-prometheus' own factory registers every metric without
/// help (and refuses a second registration of a name with another help text), so this one asks
/// the registry with the catalog's descriptor instead. A name missing from the catalog is still
/// exported, without help.
struct PrometheusCatalogFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    private let definitions: [String: MetricDefinition]

    init(registry: PrometheusCollectorRegistry, catalog: [MetricDefinition] = ServiceMetrics.catalog) {
        self.registry = registry
        self.definitions = Dictionary(catalog.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: definitions[label]?.help ?? "")
    }

    private func buckets(_ label: String) -> [Duration] {
        let buckets = definitions[label]?.buckets ?? []
        return buckets.isEmpty ? ServiceMetrics.latencyBuckets : buckets
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        dimensions.isEmpty
            ? registry.makeCounter(descriptor: descriptor(label))
            : registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        dimensions.isEmpty
            ? registry.makeCounter(descriptor: descriptor(label))
            : registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        // The services record no value histograms; an aggregating recorder is exported as a gauge
        // of its last value rather than with made-up buckets.
        makeGauge(label: label, dimensions: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        makeGauge(label: label, dimensions: dimensions)
    }

    private func makeGauge(label: String, dimensions: [(String, String)]) -> Prometheus.Gauge {
        dimensions.isEmpty
            ? registry.makeGauge(descriptor: descriptor(label))
            : registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        dimensions.isEmpty
            ? registry.makeDurationHistogram(descriptor: descriptor(label), buckets: buckets(label))
            : registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets(label))
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
