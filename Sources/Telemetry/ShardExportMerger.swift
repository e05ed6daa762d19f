import Foundation

/// Merges the shard stats that each proxy process exports into one view of the data store.
///
/// Every export is a proxy's own running totals since it started, so merging keeps the latest
/// export per source (one process of one version) and sums across sources. That makes the
/// merge idempotent (the same export twice counts once) and keeps totals from going backwards
/// when a source retires (its last export stays, with its rate dropped to zero) or exports an
/// older figure (per shard and operation the larger total wins).
public struct ShardExportMerger: Sendable, Equatable {
    private var latest: [String: DataStoreStats] = [:]
    private var retired: Set<String> = []

    public init() {}

    public mutating func record(_ export: DataStoreStats, from source: String) {
        guard !retired.contains(source) else { return }
        guard let previous = latest[source] else {
            latest[source] = export
            return
        }
        var merged = export
        for operation in DataStoreOperation.allCases {
            for (shard, old) in previous[operation] {
                let new = merged[operation][shard] ?? RequestStats()
                if old.totalRequests > new.totalRequests {
                    merged[operation][shard] = RequestStats(totalRequests: old.totalRequests, requestsPerSec: new.requestsPerSec)
                }
            }
        }
        latest[source] = merged
    }

    /// Freezes a source: its totals stay, its rate no longer counts, later exports are ignored.
    public mutating func retire(_ source: String) {
        retired.insert(source)
        guard var frozen = latest[source] else { return }
        for operation in DataStoreOperation.allCases {
            frozen[operation] = frozen[operation].mapValues { RequestStats(totalRequests: $0.totalRequests, requestsPerSec: 0) }
        }
        latest[source] = frozen
    }

    public var merged: DataStoreStats {
        var sum = DataStoreStats()
        for export in latest.values {
            for operation in DataStoreOperation.allCases {
                for (shard, stats) in export[operation] {
                    var total = sum[operation][shard] ?? RequestStats()
                    total.totalRequests += stats.totalRequests
                    total.requestsPerSec += stats.requestsPerSec
                    sum[operation][shard] = total
                }
            }
        }
        return sum
    }
}
