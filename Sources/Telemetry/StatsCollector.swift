import Foundation
import Synchronization

/// The one place counters live, safe to call from any task. Each kind of figure has its own
/// table (data-store access per shard now; per-proxy calls and API routes slot in beside it),
/// and every read returns a plain value so the UI and `/stats` never hold the lock.
public final class StatsCollector: Sendable {
    private let clock: TimeSource
    private let dataStore = Mutex<[DataStoreOperation: [String: RateCounter]]>([:])

    public init(clock: @escaping TimeSource = TimeSources.wallClock) {
        self.clock = clock
    }

    /// Counts one access of `operation` on the shard named `shard` (e.g. `shard-0`).
    public func recordDataStoreAccess(_ operation: DataStoreOperation, shard: String) {
        let now = clock()
        dataStore.withLock { tables in
            tables[operation, default: [:]][shard, default: RateCounter()].record(at: now)
        }
    }

    /// Makes sure a shard shows up (with zeros) before its first access.
    public func registerShards(_ shards: [String]) {
        dataStore.withLock { tables in
            for operation in DataStoreOperation.allCases {
                for shard in shards where tables[operation]?[shard] == nil {
                    tables[operation, default: [:]][shard] = RateCounter()
                }
            }
        }
    }

    public func collectDataStoreStats() -> DataStoreStats {
        let now = clock()
        return dataStore.withLock { tables in
            var stats = DataStoreStats()
            for (operation, counters) in tables {
                stats[operation] = counters.mapValues { $0.stats(at: now) }
            }
            return stats
        }
    }
}
