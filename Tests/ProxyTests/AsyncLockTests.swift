import Store
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Proxy

@Suite struct AsyncLockTests {
    @Test func holdsAcrossAwaitSoCriticalSectionsNeverOverlap() async {
        let lock = AsyncLock()
        let inside = Shared(0)
        let maxInside = Shared(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    await lock.withLock {
                        let now = inside.update { $0 += 1; return $0 }
                        maxInside.update { $0 = max($0, now) }
                        for _ in 0..<3 { await Task.yield() }   // suspend while holding the lock
                        inside.update { $0 -= 1 }
                    }
                }
            }
        }
        #expect(maxInside.value == 1)
    }

    @Test func readModifyWriteUnderTheLockLosesNoUpdate() async {
        let lock = AsyncLock()
        let counter = Shared(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    await lock.withLock {
                        let read = counter.value
                        await Task.yield()
                        counter.update { $0 = read + 1 }
                    }
                }
            }
        }
        #expect(counter.value == 200)
    }

    @Test func waitersAreServedFirstComeFirstServed() async throws {
        let lock = AsyncLock()
        let order = Shared<[Int]>([])
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let held = AsyncPromise<Void>()
        let holder = Task {
            await lock.withLock {
                held.fulfill(())
                for await _ in release { break }
            }
        }
        try await held.wait()
        var waiters: [Task<Void, Never>] = []
        for index in 0..<10 {
            waiters.append(Task { await lock.withLock { order.update { $0.append(index) } } })
            #expect(await eventually { lock.waiting == index + 1 }, "waiter \(index) queued")   // one after another
        }
        releaser.yield()
        await holder.value
        for waiter in waiters { await waiter.value }
        #expect(order.value == Array(0..<10))
    }
}
