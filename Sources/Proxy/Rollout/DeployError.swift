import Foundation

/// Why the controller refused or failed a call.
public enum DeployError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A deploy is already running; deploys never queue.
    case alreadyRunning(targetVersion: Int?)
    /// No proxy version is serving (before the first deploy, or after a crash until the
    /// replacement is ready).
    case noServingProxy
    case shuttingDown
    case buildFailed(String)
    /// The new version failed during `ROLLOUT_WAIT`; the previous one serves again.
    case rolledBack(String)
    /// A bad version on purpose needs a new version rolling out beside the previous one.
    case noNewVersion

    public var description: String {
        switch self {
        case .alreadyRunning(let target):
            "a deploy is already running" + (target.map { " (bringing up v\($0))" } ?? "")
        case .noServingProxy: "no data proxy is serving"
        case .shuttingDown: "notely is shutting down"
        case .buildFailed(let output): "swift build failed: \(output)"
        case .rolledBack(let reason): reason
        case .noNewVersion:
            "no new version is rolling out: a bad version is a demo of a rollout's analysis — deploy (d, POST /deploy), then make the new version bad while both serve"
        }
    }
}
