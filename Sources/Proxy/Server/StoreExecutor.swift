import Dispatch

/// Where the proxy's store calls run: one serial queue of their own, off NIO's event loops
/// (a store call blocks its thread on SQLite, up to the busy timeout while another proxy holds
/// a shard's write lock — on a loop that would stall every connection of that loop, `Ready`
/// included) and off Swift concurrency's small shared pool. One thread is enough: the calls
/// take the proxy's lock one at a time anyway, and on one thread they never contend for it.
final class StoreExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "notely.proxy.store")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
