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
    var placement: PlacementView
    var service: ServiceInfo

    struct ServiceInfo: Encodable, Sendable, Hashable {
        var restAddress: String?
        var uptimeSeconds: Int
        /// The data dir's shard count now (as `placement.shardCount`; kept here for scripts that read it).
        var shardCount: Int
    }
}
