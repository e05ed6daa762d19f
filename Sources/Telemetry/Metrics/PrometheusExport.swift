import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The figures of one `notely` process in Prometheus' form (`GET /metrics`): swift-metrics
/// instruments made by a swift-prometheus factory on a registry of its own, which writes the
/// text exposition — none of it written by hand here. A registry per service rather than the
/// global `MetricsSystem.bootstrap`: a test process runs many services, each with its figures.
///
/// Two kinds of figure go in. Latencies are recorded as they happen, into histograms (`timer`;
/// the caller keeps the timer, so a call costs one lookup in a table it already locks). Totals
/// and levels are *set*, at each scrape, from the counters `/stats` reads (`scrape`): one
/// source, two views. A series a scrape no longer sets — a retired shard's notes, a retired
/// version's calls — leaves the exposition instead of staying at its last value.
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
    /// A scrape sets totals and writes the text as one step, so two scrapes never interleave;
    /// it keeps the series it set, to remove those the next one does not.
    private let scrapeState = Mutex<Set<SeriesKey>>([])

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.latencyBuckets
        self.factory = factory
    }

    /// The histogram `name` (ending `_seconds`) with `labels`; record into it with
    /// `recordNanoseconds`, and `destroy()` it when its series ends.
    public func timer(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: name, dimensions: labels, factory: factory)
    }

    /// Sets the figures of a scrape (`set` reads their source and fills a `Figures`), removes
    /// the series the last scrape set and this one did not, and writes the whole exposition.
    public func scrape(_ set: (inout Figures) -> Void) -> String {
        scrapeState.withLock { lastSeries in
            var figures = Figures(factory: factory)
            set(&figures)
            for gone in lastSeries.subtracting(figures.series) {
                switch gone.kind {
                case .counter: CoreMetrics.Counter(label: gone.name, dimensions: gone.pairs, factory: factory).destroy()
                case .gauge: CoreMetrics.Gauge(label: gone.name, dimensions: gone.pairs, factory: factory).destroy()
                }
            }
            lastSeries = figures.series
            return registry.emitToString()
        }
    }

    /// What a scrape sets: counters to a source's total, gauges to its level.
    public struct Figures {
        fileprivate let factory: PrometheusMetricsFactory
        fileprivate var series: Set<SeriesKey> = []

        /// A counter (its name ends `_total`) set to `total`, which only grows at its source.
        public mutating func counter(_ name: String, _ labels: [(String, String)] = [], _ total: Int) {
            let counter = CoreMetrics.Counter(label: name, dimensions: labels, factory: factory)
            counter.reset()
            counter.increment(by: max(0, total))
            series.insert(SeriesKey(kind: .counter, name: name, labels: labels))
        }

        public mutating func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
            CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory).record(value)
            series.insert(SeriesKey(kind: .gauge, name: name, labels: labels))
        }
    }

    fileprivate struct SeriesKey: Hashable {
        enum Kind { case counter, gauge }
        let kind: Kind
        let name: String
        let labels: [String]

        init(kind: Kind, name: String, labels: [(String, String)]) {
            self.kind = kind
            self.name = name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }

        var pairs: [(String, String)] { stride(from: 0, to: labels.count, by: 2).map { (labels[$0], labels[$0 + 1]) } }
    }
}
