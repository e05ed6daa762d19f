import Foundation
import Logging
import Proxy
import ServiceLifecycle
import Store
import Synchronization

/// Carries out live re-sharding: takes the queued moves' steps one after another, through the
/// note store (the deployment controller, so a step rides out a proxy crash like any call),
/// and keeps the latest placement for `/stats`, the REST accounts and the dashboard.
///
/// It holds no state of its own about a move — that is all in `placement.sqlite` — so a move
/// that a crash of a proxy or of `notely` interrupted goes on at the next step.
final class ReshardingWorker: Service, Sendable {
    /// How often an idle worker reads the placement again (note counts change with traffic):
    /// as often as the shards' request figures are pulled (`DeploymentController.statsInterval`).
    static let idleInterval = DeploymentController.statsInterval
    /// The pause between two steps of a move: traffic gets the store between batches, and a
    /// presenter sees a move happen (100 notes a step: about 2,000 notes a second at most).
    static let stepPause: Duration = .milliseconds(50)

    private let notes: any NoteStore
    private let accounts: any AccountStore
    private let logger: Logger
    private let latest: Mutex<PlacementView>
    /// Fulfilled to end an idle wait at once (a move or a growth was just queued).
    private let wake = Mutex(AsyncPromise<Void>())
    /// Callers of `refresh()`, answered once a view read after their call is published.
    private let waiting = Mutex<[AsyncPromise<Void>]>([])

    init(notes: any NoteStore, accounts: any AccountStore, initial: PlacementView, logger: Logger) {
        self.notes = notes
        self.accounts = accounts
        self.logger = logger
        latest = Mutex(initial)
    }

    /// Reads the placement once (for the worker's first view).
    static func read(notes: any NoteStore, accounts: any AccountStore) async throws -> PlacementView {
        PlacementView(placement: try await notes.describePlacement(), accounts: try await accounts.listAccounts())
    }

    /// The placement as last read, with accounts counted per shard.
    var view: PlacementView { latest.withLock { $0 } }

    /// Wakes the worker (a move or a growth was just queued) and returns once the placement
    /// it shows was read after this call — so a `/stats` right after a 202 shows the change —
    /// or after `timeout` if no proxy answers meanwhile.
    func refresh(timeout: Duration = .seconds(2)) async {
        let published = AsyncPromise<Void>()
        waiting.withLock { $0.append(published) }
        let woken = wake.withLock { promise in
            defer { promise = AsyncPromise() }
            return promise
        }
        woken.fulfill(())
        _ = await published.wait(timeout: timeout)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.work() }
    }

    private func work() async {
        var failing = false
        while !Task.isCancelled {
            let signal = wake.withLock { $0 }
            let answering = waiting.withLock { waiting in
                defer { waiting = [] }
                return waiting
            }
            do {
                let before = view
                let next = PlacementView(placement: try await notes.stepPlacement(), accounts: try await accounts.listAccounts())
                latest.withLock { $0 = next }
                for caller in answering { caller.fulfill(()) }
                logProgress(from: before, to: next)
                if failing { logger.info("placement steps work again") }
                failing = false
                if next.placement.hasWork {
                    try? await Task.sleep(for: Self.stepPause)
                    continue
                }
            } catch {
                for caller in answering { caller.fulfill(()) }
                if Task.isCancelled { return }
                if !failing { logger.warning("a placement step failed (it is tried again): \(ActionError(error).message)") }
                failing = true
            }
            _ = await signal.wait(timeout: Self.idleInterval)
        }
    }

    /// One line when a move switches or ends, and when a growth ends: the log tells the story.
    private func logProgress(from before: PlacementView, to after: PlacementView) {
        for move in before.placement.moves where after.placement.move(of: move.accountId)?.switched != move.switched {
            let now = after.placement.move(of: move.accountId)
            if now?.switched == true {
                logger.info("account \(move.accountId.uuidText) now served by shard-\(move.to) (\(now?.total ?? 0) notes copied)")
            } else if now == nil {
                logger.info("account \(move.accountId.uuidText) moved shard-\(move.from) → shard-\(move.to)")
            }
        }
        if let growth = before.placement.growth, after.placement.growth == nil {
            logger.info("re-sharding \(growth.from) → \(growth.to) done: every account is on its hash placement")
        }
    }
}
