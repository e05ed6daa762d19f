import Foundation
import Store
import Telemetry

/// What the metrics cost a call: a REST request and a proxy try recorded (their counters and
/// latency histograms), timed over many, and one scrape of what they made. Set beside a
/// proxied call's CPU (hundreds of µs) it says whether `/metrics` costs anything measurable —
/// more surely than two runs of the whole path, whose noise is larger than the cost.
extension Benchmarks {
    static func measureMetricsCost(iterations: Int = 200_000) -> BenchFigures.MetricsCost {
        let stats = StatsCollector()
        let routes = ["/accounts/{id}/notes", "/accounts/{id}/notes/{noteId}", "/accounts"].flatMap { route in
            [200, 201, 404].map { RouteKey(method: "GET", route: route, status: $0) }
        }
        let operations = [NoteStoreOperation.getNote, .listNotes, .createNote, .updateNote, .deleteNote].map(\.rawValue)
        let started = ContinuousClock.now
        for index in 0..<iterations {
            stats.recordRoute(routes[index % routes.count], microseconds: UInt64(150 + index % 5000))
            stats.recordProxyTry(version: 1 + index % 2, operation: operations[index % operations.count],
                                 nanoseconds: Int64(80_000 + index % 4_000_000), failed: index % 100 == 0)
        }
        let recorded = ContinuousClock.now - started
        // A scrape sets every total from its source, as `MetricsView` does, then writes it all.
        let scrapeStarted = ContinuousClock.now
        let text = stats.prometheus.scrape { figures in
            for route in stats.collectRouteStats() {
                figures.counter(PrometheusNames.httpRequests, RouteKey(method: route.method, route: route.route, status: route.status).labels,
                                route.count)
            }
            let tries = stats.collectProxyTries()
            for version in 1...2 {
                for operation in NoteStoreOperation.allCases {
                    let key = ProxyTryKey(version: version, operation: operation.rawValue)
                    figures.counter(PrometheusNames.proxyCallFailures, key.labels, tries.failures[key] ?? 0)
                }
            }
        }
        let scraped = ContinuousClock.now - scrapeStarted
        return BenchFigures.MetricsCost(
            nanosecondsPerCall: Double(recorded.nanoseconds) / Double(iterations),
            scrapeMs: scraped.seconds * 1000,
            series: text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count)
    }
}
