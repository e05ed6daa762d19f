import Store
import Foundation

/// The exit of a child process, which any number of tasks can await (and stop awaiting).
final class ProcessExit: Sendable {
    private let promise = AsyncPromise<Int32>()

    var status: Int32? { promise.value }

    func finish(status: Int32) { promise.fulfill(status) }

    /// The exit status, once the process has exited. Keeps waiting even if the task is
    /// cancelled: callers use it only while stopping a process, which always ends.
    func wait() async -> Int32 { await promise.waitIgnoringCancellation() }

    /// The exit status, or nil if the waiting task is cancelled first.
    func waitUnlessCancelled() async -> Int32? { try? await promise.wait() }

    /// Waits at most `timeout`; nil when the process is still running then.
    func wait(timeout: Duration) async -> Int32? { await promise.wait(timeout: timeout) }
}
