import Store
import Foundation
import Synchronization

/// A proxy process in the controller's hands, with a count of the calls in flight to it so
/// that retiring it never cuts one: it leaves the routing first, then drains, then stops.
final class ServingProxy: Sendable {
    private struct Calls {
        var inFlight = 0
        /// Set once the proxy left the routing: no call enters after that.
        var draining = false
    }

    let process: DataProxyProcess
    private let calls = Mutex(Calls())
    private let drained = AsyncPromise<Void>()
    private let failedChecks = Mutex(0)
    private let condemned = Mutex(false)
    private let faultInjected = Mutex(false)
    /// Its calls since the rollout step began (or since it serves): what a step is judged on.
    private let window = Mutex(CallWindow())

    init(_ process: DataProxyProcess) {
        self.process = process
    }

    var id: Int { process.id }
    var client: ProxyClient { process.client }
    /// Names this process (not just its version) for the shard-stats merge: a restarted
    /// process of the same version counts from zero again.
    var statsSource: String { "v\(process.id)/\(process.pid)" }

    /// Whether new calls may go to it: it runs, and it was not found crashed or hung.
    var isRoutable: Bool { process.isRunning && !condemned.withLock { $0 } }

    /// Takes it out of the routing for good (it is being killed); true the first time.
    func condemn() -> Bool {
        condemned.withLock { condemned in
            defer { condemned = true }
            return !condemned
        }
    }

    /// Marks the process as hit by a fault on purpose (`k`, `h`, `POST /chaos`): its end is a
    /// demo, not a crash, and doesn't count towards giving the version up.
    func markFaultInjected() { faultInjected.withLock { $0 = true } }
    var wasFaultInjected: Bool { faultInjected.withLock { $0 } }

    /// Call only while the controller's state lock makes this proxy routable.
    func enter() { calls.withLock { $0.inFlight += 1 } }

    func leave() {
        let done = calls.withLock { calls in
            calls.inFlight -= 1
            return calls.draining && calls.inFlight == 0
        }
        if done { drained.fulfill(()) }
    }

    /// Waits until the last call in flight has left, or `timeout` passes; true when drained.
    /// Call after the proxy left the routing.
    func drain(timeout: Duration) async -> Bool {
        let done = calls.withLock { calls in
            calls.draining = true
            return calls.inFlight == 0
        }
        if done { drained.fulfill(()) }
        return await drained.wait(timeout: timeout) != nil
    }

    /// Adds one call it was sent: how long it took, and whether it refused or failed it.
    func recordCall(seconds: Double, failed: Bool) { window.withLock { $0.record(seconds: seconds, failed: failed) } }
    /// Adds one mirrored read of a rollout step (counted on the new version).
    func recordMirror(differed: Bool) { window.withLock { $0.recordMirror(differed: differed) } }
    /// Its calls since the window began.
    var windowSoFar: CallWindow { window.withLock { $0 } }
    /// Its calls since the window began, starting a fresh window.
    func takeCalls() -> CallWindow { window.withLock { window in defer { window = CallWindow() }; return window } }

    /// Counts a failed health check; returns how many failed in a row.
    func healthCheckFailed() -> Int { failedChecks.withLock { $0 += 1; return $0 } }
    func healthCheckPassed() { failedChecks.withLock { $0 = 0 } }
}
