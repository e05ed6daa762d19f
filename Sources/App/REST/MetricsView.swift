import Proxy
import Store
import Telemetry

/// `GET /metrics`: the figures of `/stats` — the same snapshot, read inside the scrape — set on
/// the Prometheus export, which writes the text exposition with the latency histograms it
/// recorded as requests and calls came. One source, two views.
///
/// Per-version series are those of the versions running: a demo deploys hundreds of times,
/// and a retired version's series would stay forever. Failures and retries start at 0, so the
/// first one shows in `increase()`.
enum MetricsView {
    /// The content type of Prometheus' text format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(_ snapshot: () -> ServiceSnapshot, stats: StatsCollector) -> String {
        stats.prometheus.scrape { figures in
            let snapshot = snapshot()
            let running = Set([snapshot.deployment.current, snapshot.deployment.previous].compactMap { $0?.id })
            stats.keepTryLatencies(ofVersions: running)
            for route in snapshot.api {
                figures.counter(PrometheusNames.httpRequests, RouteKey(method: route.method, route: route.route, status: route.status).labels,
                                route.count)
            }
            for version in running.map(String.init) {
                let operations = snapshot.proxies[version] ?? [:]
                for operation in DataStoreOperation.allCases {
                    figures.counter(PrometheusNames.proxyCalls, [("version", version), ("operation", operation.methodName)],
                                    operations[operation.statsKey]?.totalRequests ?? 0)
                }
                for operation in NoteStoreOperation.allCases {
                    figures.counter(PrometheusNames.proxyCallFailures, [("version", version), ("operation", operation.rawValue)],
                                    snapshot.proxyTries.failures[version]?[operation.rawValue] ?? 0)
                }
            }
            for operation in NoteStoreOperation.allCases {
                figures.counter(PrometheusNames.proxyCallRetries, [("operation", operation.rawValue)],
                                snapshot.proxyTries.retries[operation.rawValue] ?? 0)
            }
            for operation in DataStoreOperation.allCases {
                for (shard, figure) in snapshot.shards[operation] {
                    figures.counter(PrometheusNames.storeAccesses, [("shard", shard), ("operation", operation.methodName)], figure.totalRequests)
                }
            }
            deployment(snapshot.deployment, into: &figures)
            placement(snapshot.placement, into: &figures)
            figures.counter(PrometheusNames.loadRequests, [], snapshot.load.requests)
            figures.counter(PrometheusNames.loadFailures, [], snapshot.load.failures)
            figures.counter(PrometheusNames.loadMisses, [], snapshot.load.consistencyMisses)
        }
    }

    private static func deployment(_ deployment: DeploymentSnapshot, into figures: inout PrometheusExport.Figures) {
        // One series per status, 1 for the one it is in: what Prometheus' own state metrics do.
        for status in DeploymentStatus.allCases {
            figures.gauge(PrometheusNames.deploymentStatus, [("status", status.rawValue)], status == deployment.status ? 1 : 0)
        }
        figures.gauge(PrometheusNames.currentVersion, [], Double(deployment.current?.id ?? 0))
        figures.gauge(PrometheusNames.previousVersion, [], Double(deployment.previous?.id ?? 0))
        figures.counter(PrometheusNames.rollouts, [], deployment.deploys)
        figures.counter(PrometheusNames.rollbacks, [], deployment.rollbacks)
        figures.counter(PrometheusNames.crashes, [], deployment.crashes)
        figures.counter(PrometheusNames.restarts, [], deployment.restarts)
    }

    private static func placement(_ view: PlacementView, into figures: inout PrometheusExport.Figures) {
        let placement = view.placement
        for shard in placement.liveShards {
            let labels = [("shard", ShardRouter.shardName(shard))]
            figures.gauge(PrometheusNames.shardNotes, labels, Double(placement.notesPerShard.indices.contains(shard) ? placement.notesPerShard[shard] : 0))
            figures.gauge(PrometheusNames.shardAccounts, labels,
                          Double(view.accountsPerShard.indices.contains(shard) ? view.accountsPerShard[shard] : 0))
        }
        figures.gauge(PrometheusNames.movesRunning, [], Double(placement.moves.count))
        let notesLeft = placement.change?.notesLeft ?? placement.moves.filter { !$0.switched }.reduce(0) { $0 + max(0, $1.total - $1.copied) }
        figures.gauge(PrometheusNames.notesLeft, [], Double(notesLeft))
    }
}

extension DataStoreOperation {
    /// The proxy method this access counts (`GetNote` …): an operation has one name in every
    /// metric, whether a proxy counted it per shard or this process per version.
    var methodName: String {
        switch self {
        case .list: NoteStoreOperation.listNotes.rawValue
        case .read: NoteStoreOperation.getNote.rawValue
        case .create: NoteStoreOperation.createNote.rawValue
        case .update: NoteStoreOperation.updateNote.rawValue
        case .delete: NoteStoreOperation.deleteNote.rawValue
        }
    }
}
