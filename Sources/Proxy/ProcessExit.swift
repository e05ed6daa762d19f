import Foundation
import Synchronization

/// The exit of a child process, which any number of tasks can await (and stop awaiting).
final class ProcessExit: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [UUID: CheckedContinuation<Int32?, Never>] = [:]
    }

    private let state = Mutex(State())

    var status: Int32? { state.withLock { $0.status } }

    func finish(status: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32?, Never>] in
            state.status = status
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The exit status, once the process has exited.
    func wait() async -> Int32 {
        while true {
            if let status = await waitUnlessCancelled() { return status }
            // Only a cancelled task gets here; an exit status still comes (the process is
            // being stopped), so poll rather than spin.
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The exit status, or nil if the waiting task is cancelled first.
    func waitUnlessCancelled() async -> Int32? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> (done: Bool, status: Int32?) in
                    if let status = state.status { return (true, status) }
                    if Task.isCancelled { return (true, nil) }
                    state.waiters[id] = continuation
                    return (false, nil)
                }
                if ready.done { continuation.resume(returning: ready.status) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Waits at most `timeout`; nil when the process is still running then.
    func wait(timeout: Duration) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.waitUnlessCancelled() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? status
        }
    }
}
