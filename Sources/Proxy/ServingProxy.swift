import Foundation
import Synchronization

/// A proxy process in the controller's hands, with a count of the calls in flight to it so
/// that retiring it never cuts one: it leaves the routing first, then drains, then stops.
final class ServingProxy: Sendable {
    let process: DataProxyProcess
    private let inFlight = Mutex(0)
    private let failedChecks = Mutex(0)

    init(_ process: DataProxyProcess) {
        self.process = process
    }

    var id: Int { process.id }
    var client: ProxyClient { process.client }
    /// Names this process (not just its version) for the shard-stats merge: a restarted
    /// process of the same version counts from zero again.
    var statsSource: String { "v\(process.id)/\(process.pid)" }

    /// Call only while the controller's state lock makes this proxy routable.
    func enter() { inFlight.withLock { $0 += 1 } }
    func leave() { inFlight.withLock { $0 -= 1 } }
    var callsInFlight: Int { inFlight.withLock { $0 } }

    /// Waits until no call is in flight, or `timeout` passes; true when drained.
    func drain(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while callsInFlight > 0 {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Counts a failed health check; returns how many failed in a row.
    func healthCheckFailed() -> Int { failedChecks.withLock { $0 += 1; return $0 } }
    func healthCheckPassed() { failedChecks.withLock { $0 = 0 } }
}
