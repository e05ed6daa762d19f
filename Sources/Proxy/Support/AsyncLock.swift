import Synchronization

/// A first-come, first-served lock for async code, held across `await`. The data proxy takes it
/// around every store call, so the calls of all clients form one sequence (linearizable), and
/// a caller that waits is served before anyone who came later.
///
/// Hand-written: no package on this machine offers an async lock that is FIFO and held across
/// `await` (swift-async-algorithms has none; NIO's and Synchronization's locks block threads).
public final class AsyncLock: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func withLock<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Tasks queued for the lock (for tests that line waiters up).
    var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    private func acquire() async {
        let free = state.withLock { state -> Bool in
            if state.held { return false }
            state.held = true
            return true
        }
        if free { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the lock straight to the longest waiter (it stays held), or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.held = false
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            let next = state.waiters[state.head]
            state.head += 1
            if state.head >= 1024 {
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return next
        }
        next?.resume()
    }
}
