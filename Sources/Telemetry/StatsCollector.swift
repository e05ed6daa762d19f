import CoreMetrics
import Foundation
import Synchronization

/// The one place counters live, safe to call from any task. Each kind of figure has its own
/// table — data-store access per shard, calls per proxy version, REST routes — and every
/// read returns a plain value so the UI and `/stats` never hold the lock.
public final class StatsCollector: Sendable {
    private struct Tables {
        var dataStore: [DataStoreOperation: [String: RateCounter]] = [:]
        var proxyCalls: [Int: [DataStoreOperation: RateCounter]] = [:]
        var shardExports = ShardExportMerger()
        var routes: [RouteKey: RouteRecorder] = [:]
        /// Tries of store calls a proxy refused or failed, by version and operation; and calls
        /// sent again (to another version, or once a failed one was gone), by operation.
        var proxyFailures: [ProxyTryKey: Int] = [:]
        var proxyRetries: [String: Int] = [:]
        /// The latency histograms of each route and each try key, made once.
        var routeTimers: [RouteKey: CoreMetrics.Timer] = [:]
        var tryTimers: [ProxyTryKey: CoreMetrics.Timer] = [:]
    }

    private let clock: TimeSource
    private let tables = Mutex(Tables())
    /// The same figures for Prometheus (`GET /metrics`): latencies recorded here as they come,
    /// totals set from these tables when a scrape asks. (A proxy child has one too, unused:
    /// a registry is a dictionary and a lock.)
    public let prometheus = PrometheusExport()

    public init(clock: @escaping TimeSource = TimeSources.wallClock) {
        self.clock = clock
    }

    // MARK: Data-store access (in a proxy)

    /// Counts one access of `operation` on the shard named `shard` (e.g. `shard-0`).
    public func recordDataStoreAccess(_ operation: DataStoreOperation, shard: String) {
        let now = clock()
        tables.withLock { tables in
            tables.dataStore[operation, default: [:]][shard, default: RateCounter()].record(at: now)
        }
    }

    /// Makes sure a shard shows up (with zeros) before its first access.
    public func registerShards(_ shards: [String]) {
        tables.withLock { tables in
            for operation in DataStoreOperation.allCases {
                for shard in shards where tables.dataStore[operation]?[shard] == nil {
                    tables.dataStore[operation, default: [:]][shard] = RateCounter()
                }
            }
        }
    }

    public func collectDataStoreStats() -> DataStoreStats {
        let now = clock()
        return tables.withLock { tables in
            var stats = DataStoreStats()
            for (operation, counters) in tables.dataStore {
                stats[operation] = counters.mapValues { $0.stats(at: now) }
            }
            return stats
        }
    }

    // MARK: Shard stats exported by proxies (in the main process)

    /// Merges one proxy process's export; `source` names that process (version and pid).
    public func recordShardExport(_ export: DataStoreStats, from source: String) {
        tables.withLock { $0.shardExports.record(export, from: source) }
    }

    /// Freezes a retired process's figures: its totals stay, its rate stops counting.
    public func retireShardExport(from source: String) {
        tables.withLock { $0.shardExports.retire(source) }
    }

    /// Data-store access per shard across every proxy process there has been.
    public func collectShardStats() -> DataStoreStats {
        tables.withLock { $0.shardExports.merged }
    }

    // MARK: Calls per proxy version (in the main process)

    public func recordProxyCall(version: Int, _ operation: DataStoreOperation) {
        let now = clock()
        tables.withLock { tables in
            tables.proxyCalls[version, default: [:]][operation, default: RateCounter()].record(at: now)
        }
    }

    /// Per version, per operation key (`noteListRequests` …): total and rate.
    public func collectProxyStats() -> [Int: [String: RequestStats]] {
        let now = clock()
        return tables.withLock { tables in
            tables.proxyCalls.mapValues { counters in
                var byKey: [String: RequestStats] = [:]
                for operation in DataStoreOperation.allCases {
                    byKey[operation.statsKey] = counters[operation]?.stats(at: now) ?? RequestStats()
                }
                return byKey
            }
        }
    }

    // MARK: REST routes

    public func recordRoute(_ key: RouteKey, microseconds: UInt64) {
        let now = clock()
        let timer = tables.withLock { tables in
            tables.routes[key, default: RouteRecorder()].record(microseconds: microseconds, at: now)
            return tables.routeTimers.value(for: key) { prometheus.timer(PrometheusNames.httpRequestDuration, key.labels) }
        }
        timer.recordNanoseconds(Int64(microseconds) * 1000)
    }

    // MARK: Tries of store calls (in the main process)

    /// One try of a store call on a proxy version: how long it took, and whether the version
    /// refused or failed it.
    public func recordProxyTry(version: Int, operation: String, nanoseconds: Int64, failed: Bool) {
        let key = ProxyTryKey(version: version, operation: operation)
        let timer = tables.withLock { tables in
            if failed { tables.proxyFailures[key, default: 0] += 1 }
            return tables.tryTimers.value(for: key) { prometheus.timer(PrometheusNames.proxyCallDuration, key.labels) }
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// Ends the latency series of versions no longer running: a demo deploys hundreds of times,
    /// and each version's histograms are a hundred series. Their `/stats` counts stay.
    public func keepTryLatencies(ofVersions running: Set<Int>) {
        let ended = tables.withLock { tables in
            let ended = tables.tryTimers.filter { !running.contains($0.key.version) }
            for key in ended.keys { tables.tryTimers[key] = nil }
            return Array(ended.values)
        }
        for timer in ended { timer.destroy() }
    }

    /// A store call sent again after a try that failed or was refused.
    public func recordProxyRetry(operation: String) {
        tables.withLock { $0.proxyRetries[operation, default: 0] += 1 }
    }

    /// Failed tries by version and operation, and retries by operation, since start.
    public func collectProxyTries() -> (failures: [ProxyTryKey: Int], retries: [String: Int]) {
        tables.withLock { ($0.proxyFailures, $0.proxyRetries) }
    }

    /// One row per method, route and status, sorted by route.
    public func collectRouteStats() -> [RouteStats] {
        let now = clock()
        return tables.withLock { tables in
            tables.routes.sorted { $0.key < $1.key }.map { $0.value.stats(for: $0.key, at: now) }
        }
    }
}

extension Dictionary {
    /// The value for `key`, made and kept the first time it is asked for.
    mutating func value(for key: Key, orMake make: () -> Value) -> Value {
        if let value = self[key] { return value }
        let value = make()
        self[key] = value
        return value
    }
}
