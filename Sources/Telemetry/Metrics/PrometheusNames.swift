/// Every metric name `GET /metrics` writes, once, by Prometheus' conventions: a `notely_`
/// prefix, base units (`_seconds`), `_total` on counters. Labels are few and bounded —
/// route patterns, versions, shards, operations — never a note or an account id.
public enum PrometheusNames {
    public static let httpRequests = "notely_http_requests_total"
    public static let httpRequestDuration = "notely_http_request_duration_seconds"
    public static let proxyCalls = "notely_proxy_calls_total"
    public static let proxyCallFailures = "notely_proxy_call_failures_total"
    public static let proxyCallRetries = "notely_proxy_call_retries_total"
    public static let proxyCallDuration = "notely_proxy_call_duration_seconds"
    public static let storeAccesses = "notely_store_accesses_total"
    public static let shardNotes = "notely_shard_notes"
    public static let shardAccounts = "notely_shard_accounts"
    public static let deploymentStatus = "notely_deployment_status"
    public static let currentVersion = "notely_deployment_current_version"
    public static let previousVersion = "notely_deployment_previous_version"
    public static let rollouts = "notely_rollouts_total"
    public static let rollbacks = "notely_rollbacks_total"
    public static let crashes = "notely_proxy_crashes_total"
    public static let restarts = "notely_proxy_restarts_total"
    public static let movesRunning = "notely_placement_moves"
    public static let notesLeft = "notely_placement_notes_left"
    public static let loadRequests = "notely_load_requests_total"
    public static let loadFailures = "notely_load_failures_total"
    public static let loadMisses = "notely_load_consistency_misses_total"
}

/// A try of a store call on one proxy version, for failure counts and latency.
public struct ProxyTryKey: Hashable, Sendable {
    public let version: Int
    public let operation: String

    public init(version: Int, operation: String) {
        self.version = version
        self.operation = operation
    }

    public var labels: [(String, String)] { [("version", String(version)), ("operation", operation)] }
}

extension RouteKey {
    public var labels: [(String, String)] { [("method", method), ("route", route), ("status", String(status))] }
}
