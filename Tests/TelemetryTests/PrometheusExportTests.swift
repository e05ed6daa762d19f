import Testing
@testable import Telemetry

/// The Prometheus export's rules: totals are set from their source at each scrape, latencies
/// recorded as they come, and a level no longer set leaves the exposition.
@Suite struct PrometheusExportTests {
    private func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func totalsFollowTheirSourceAndGoneLevelsLeave() {
        let export = PrometheusExport()
        let first = export.scrape { figures in
            figures.counter("notely_things_total", [("kind", "a")], 5)
            figures.gauge("notely_level", [("shard", "shard-0")], 3)
            figures.gauge("notely_level", [("shard", "shard-1")], 4)
            figures.counter("notely_things_total", [("kind", "b")], 1)
        }
        #expect(Set(lines(first, "notely_things_total")) == [#"notely_things_total{kind="a"} 5"#, #"notely_things_total{kind="b"} 1"#])
        #expect(lines(first, "notely_level").count == 2)
        #expect(first.contains("# TYPE notely_things_total counter") && first.contains("# TYPE notely_level gauge"))
        let second = export.scrape { figures in
            figures.counter("notely_things_total", [("kind", "a")], 7)
            figures.gauge("notely_level", [("shard", "shard-1")], 9)
        }
        #expect(lines(second, "notely_things_total") == [#"notely_things_total{kind="a"} 7"#], "set, not added")
        #expect(lines(second, "notely_level") == [#"notely_level{shard="shard-1"} 9.0"#], "shard-0 is gone")
        #expect(!second.contains(#"kind="b""#), "a counter no longer set is gone too")
    }

    @Test func aRetiredVersionsLatenciesEnd() {
        let stats = StatsCollector()
        stats.recordProxyTry(version: 1, operation: "GetNote", nanoseconds: 1_000_000, failed: false)
        stats.recordProxyTry(version: 2, operation: "GetNote", nanoseconds: 1_000_000, failed: true)
        #expect(stats.collectProxyTries().failures == [ProxyTryKey(version: 2, operation: "GetNote"): 1])
        stats.keepTryLatencies(ofVersions: [2])
        let text = stats.prometheus.scrape { _ in }
        #expect(!text.contains(#"version="1""#) && text.contains(#"notely_proxy_call_duration_seconds_count{version="2",operation="GetNote"} 1"#),
                "\(text)")
    }

    @Test func latenciesGoIntoHistogramsInSeconds() {
        let export = PrometheusExport()
        let timer = export.timer("notely_call_duration_seconds", [("op", "GetNote")])
        timer.recordNanoseconds(800_000)
        timer.recordNanoseconds(3_000_000)
        let text = export.scrape { _ in }
        #expect(text.contains("# TYPE notely_call_duration_seconds histogram"))
        #expect(lines(text, "notely_call_duration_seconds_count") == [#"notely_call_duration_seconds_count{op="GetNote"} 2"#])
        #expect(text.contains(#"notely_call_duration_seconds_bucket{op="GetNote",le="0.001"} 1"#), "\(text)")
        #expect(text.contains(#"notely_call_duration_seconds_bucket{op="GetNote",le="0.005"} 2"#))
    }
}
