import Proxy

/// Each version's requests per second over the last minute, one sample per refresh — the
/// figures the snapshot already carries, kept, so the Deployments pane can draw traffic moving
/// from one version to the next (and the dip at a crash) without asking for anything more.
struct TrafficHistory: Equatable, Sendable {
    /// Samples kept per version: a minute of once-a-second refreshes.
    static let samples = 60

    /// Oldest first; every version's array ends at the same, latest refresh.
    private(set) var rates: [Int: [Double]] = [:]

    /// Adds this refresh: the serving versions' rates, and 0 for versions that served within
    /// the window but no longer do (they go once their whole window is 0).
    mutating func record(_ deployment: DeploymentSnapshot) {
        let serving = Dictionary([deployment.current, deployment.previous].compactMap { $0 }.map { ($0.id, $0.requestsPerSec) }) { first, _ in first }
        for id in Set(rates.keys).union(serving.keys) {
            var window = rates[id] ?? []
            window.append(serving[id] ?? 0)
            window = Array(window.suffix(Self.samples))
            rates[id] = serving[id] == nil && window.allSatisfy({ $0 == 0 }) ? nil : window
        }
    }

    /// Versions with a window, newest first.
    var versions: [Int] { rates.keys.sorted(by: >) }

    /// One scale for every version: the highest rate in any window (at least 1).
    var scale: Double { max(1, rates.values.flatMap { $0 }.max() ?? 0) }
}
