import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The figures of one `notely` process in Prometheus' form (`GET /metrics`): swift-metrics
/// instruments made by a swift-prometheus factory on a registry of its own, which writes the
/// text exposition — none of it written by hand here. A registry per service rather than the
/// global `MetricsSystem.bootstrap`: a test process runs many services, each with its figures.
///
/// Two kinds of figure go in. Latencies are recorded as they happen (`recordDuration`), into
/// histograms. Totals and levels are *set* from the counters `/stats` reads, when a scrape asks
/// (`scrape`): one source, two views, so the two can never disagree. A level a scrape no longer
/// sets (a retired shard's notes) is gone from the next exposition, not left at its last value.
public final class PrometheusExport: Sendable {
    /// Latency buckets, in seconds: a proxied call takes about a millisecond, a REST request a
    /// little more; a call waiting out a crash takes seconds.
    public static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Timers by name and labels, made once: making one takes the registry's lock and allocates.
    private let timers = Mutex<[InstrumentKey: CoreMetrics.Timer]>([:])
    /// A scrape sets totals and writes the text as one step, so two scrapes never interleave;
    /// it keeps the gauges it set, to remove those the next one does not.
    private let scrapeState = Mutex<Set<InstrumentKey>>([])

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.latencyBuckets
        self.factory = factory
    }

    /// Records one latency into the histogram `name` (ending `_seconds`) with `labels`.
    public func recordDuration(_ name: String, _ labels: [(String, String)], nanoseconds: Int64) {
        let key = InstrumentKey(name: name, labels: labels)
        let timer = timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = CoreMetrics.Timer(label: name, dimensions: labels, factory: factory)
            timers[key] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// Sets the figures a scrape reads from their source (`set` gets a `Figures` to fill), then
    /// writes the whole exposition.
    public func scrape(_ set: (inout Figures) -> Void) -> String {
        scrapeState.withLock { lastGauges in
            var figures = Figures(factory: factory)
            set(&figures)
            for gone in lastGauges.subtracting(figures.gauges) {
                CoreMetrics.Gauge(label: gone.name, dimensions: gone.pairs, factory: factory).destroy()
            }
            lastGauges = figures.gauges
            return registry.emitToString()
        }
    }

    /// What a scrape sets: counters to a source's total, gauges to its level.
    public struct Figures {
        fileprivate let factory: PrometheusMetricsFactory
        fileprivate var gauges: Set<InstrumentKey> = []

        /// A counter (its name ends `_total`) set to `total`, which only grows at its source.
        public mutating func counter(_ name: String, _ labels: [(String, String)] = [], _ total: Int) {
            let counter = CoreMetrics.Counter(label: name, dimensions: labels, factory: factory)
            counter.reset()
            counter.increment(by: max(0, total))
        }

        public mutating func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
            CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory).record(value)
            gauges.insert(InstrumentKey(name: name, labels: labels))
        }
    }

    fileprivate struct InstrumentKey: Hashable {
        let name: String
        let labels: [String]

        init(name: String, labels: [(String, String)]) {
            self.name = name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }

        var pairs: [(String, String)] { stride(from: 0, to: labels.count, by: 2).map { (labels[$0], labels[$0 + 1]) } }
    }
}
