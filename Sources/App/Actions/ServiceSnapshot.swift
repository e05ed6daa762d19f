import Foundation
import Proxy
import Telemetry

/// Everything the dashboard shows and `GET /stats` returns, read at one instant — the read side
/// of the application layer, which the service fills and both front ends show. The keys
/// `deployment`, `proxies`, `shards`, `load`, `api` and `placement` are the design's contract.
struct ServiceSnapshot: Encodable, Sendable {
    var deployment: DeploymentSnapshot
    /// Per proxy version ("1", "2" …): calls per operation sent by this process.
    var proxies: [String: [String: RequestStats]]
    /// Data-store access per shard, merged from every proxy's export.
    var shards: DataStoreStats
    var load: LoadStats
    var api: [RouteStats]
    /// Tries of store calls a version refused or failed, and calls sent again (`/metrics` has them too).
    var proxyTries = ProxyTries()
    var placement: PlacementView
    var service: ServiceInfo

    struct ProxyTries: Encodable, Sendable, Hashable {
        /// Per version ("2"), per operation (`GetNote` …): tries it refused or failed.
        var failures: [String: [String: Int]] = [:]
        /// Per operation: calls sent again, to another version or once a failed one was gone.
        var retries: [String: Int] = [:]

        init() {}

        init(_ tries: (failures: [ProxyTryKey: Int], retries: [String: Int])) {
            for (key, count) in tries.failures { failures[String(key.version), default: [:]][key.operation] = count }
            retries = tries.retries
        }
    }

    struct ServiceInfo: Encodable, Sendable, Hashable {
        var restAddress: String?
        var uptimeSeconds: Int
        /// The data dir's shard count now (as `placement.shardCount`; kept here for scripts that read it).
        var shardCount: Int
    }
}
