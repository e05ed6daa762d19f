import Synchronization

/// A value that arrives once, later (a child's exit status, the REST port once the server
/// listens, a drained proxy), awaited by any number of tasks — by an event, never by polling.
public final class AsyncPromise<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [Int: CheckedContinuation<Value?, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var value: Value? { state.withLock { $0.value } }

    public func fulfill(_ value: Value) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value?, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value; throws `CancellationError` if the task is cancelled first.
    public func wait() async throws -> Value {
        guard let value = await wait(cancellable: true) else { throw CancellationError() }
        return value
    }

    /// The value, however long it takes, even if the waiting task is cancelled: for waits that
    /// must complete (a stopping process's exit).
    public func waitIgnoringCancellation() async -> Value {
        await wait(cancellable: false)!
    }

    /// The value, or nil when `timeout` passes (or the task is cancelled) first.
    public func wait(timeout: Duration) async -> Value? {
        if let value { return value }
        return await withTaskGroup(of: Value?.self) { group in
            group.addTask { try? await self.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? value
        }
    }

    private func wait(cancellable: Bool) async -> Value? {
        let ticket = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> (Bool, Value?) in
                    if let value = state.value { return (true, value) }
                    if cancellable, Task.isCancelled { return (true, nil) }
                    state.waiters[ticket] = continuation
                    return (false, nil)
                }
                if ready.0 { continuation.resume(returning: ready.1) }
            }
        } onCancel: {
            guard cancellable else { return }
            state.withLock { $0.waiters.removeValue(forKey: ticket) }?.resume(returning: nil)
        }
    }
}
