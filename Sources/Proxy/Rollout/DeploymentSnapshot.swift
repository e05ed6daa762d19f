import Foundation
import Store

/// Where a rollout stands. The raw values are the contract's.
public enum DeploymentStatus: String, Codable, Sendable, CaseIterable {
    case initial = "INITIAL"
    case rolloutLaunchNew = "ROLLOUT_LAUNCH_NEW"
    case rolloutWait = "ROLLOUT_WAIT"
    case ready = "READY"
}

/// One running proxy version as the UI and `/stats` show it.
public struct VersionSnapshot: Codable, Sendable, Hashable {
    public var id: Int
    public var pid: Int
    public var port: Int
    @RFC3339 public var launchedAt: Date
    public var requestsPerSec: Double
    /// Milliseconds from spawn to the first good `Ready`.
    public var readyMs: Int
    /// Whether new requests are sent to it (false while it drains before retiring).
    public var serving: Bool
    /// The percent of new calls routed to it.
    public var share: Int
    /// Its calls in the rollout step running (or since it serves alone): what a step judges.
    public var window: WindowFigures

    public init(id: Int, pid: Int, port: Int, launchedAt: Date, requestsPerSec: Double, readyMs: Int, serving: Bool,
                share: Int = 100, window: WindowFigures = WindowFigures(CallWindow())) {
        self.id = id
        self.pid = pid
        self.port = port
        self.launchedAt = launchedAt
        self.requestsPerSec = requestsPerSec
        self.readyMs = readyMs
        self.serving = serving
        self.share = share
        self.window = window
    }
}

/// Everything about the deployment at one instant, as plain values.
public struct DeploymentSnapshot: Codable, Sendable, Hashable {
    public var status: DeploymentStatus
    public var current: VersionSnapshot?
    public var previous: VersionSnapshot?
    /// Whole seconds until the previous version retires; only during `ROLLOUT_WAIT`.
    public var rolloutSecondsLeft: Int?
    /// The configured `--rollout-wait`, so a UI can draw progress.
    public var rolloutWaitSeconds: Double
    /// The version a running deploy is bringing up.
    public var targetVersion: Int?
    public var lastError: String?
    /// Crashed proxies replaced by a fresh process of the same version.
    public var restarts: Int
    public var deploys: Int
    /// New versions sent back during their rollout: a failed step, or a crash.
    public var rollbacks: Int
    /// Serving versions that exited or were killed (restarted or not).
    public var crashes: Int
    /// The steps and verdicts of the running (or last) progressive rollout; nil for the seed's.
    public var rollout: RolloutProgress?

    public init(status: DeploymentStatus = .initial, current: VersionSnapshot? = nil, previous: VersionSnapshot? = nil,
                rolloutSecondsLeft: Int? = nil, rolloutWaitSeconds: Double = 30, targetVersion: Int? = nil,
                lastError: String? = nil, restarts: Int = 0, deploys: Int = 0, rollbacks: Int = 0, crashes: Int = 0,
                rollout: RolloutProgress? = nil) {
        self.status = status
        self.current = current
        self.previous = previous
        self.rolloutSecondsLeft = rolloutSecondsLeft
        self.rolloutWaitSeconds = rolloutWaitSeconds
        self.targetVersion = targetVersion
        self.lastError = lastError
        self.restarts = restarts
        self.deploys = deploys
        self.rollbacks = rollbacks
        self.crashes = crashes
        self.rollout = rollout
    }

    enum CodingKeys: String, CodingKey {
        case status, current, previous, rolloutSecondsLeft, rolloutWaitSeconds, targetVersion, lastError, restarts, deploys, rollbacks, crashes, rollout
    }

    /// `previous` and `rolloutSecondsLeft` are always present (null when absent), as the contract shows.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(current, forKey: .current)
        try container.encode(previous, forKey: .previous)
        try container.encode(rolloutSecondsLeft, forKey: .rolloutSecondsLeft)
        try container.encode(rolloutWaitSeconds, forKey: .rolloutWaitSeconds)
        try container.encode(targetVersion, forKey: .targetVersion)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(restarts, forKey: .restarts)
        try container.encode(deploys, forKey: .deploys)
        try container.encode(rollbacks, forKey: .rollbacks)
        try container.encode(crashes, forKey: .crashes)
        try container.encode(rollout, forKey: .rollout)
    }
}
