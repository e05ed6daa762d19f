import Foundation
import Logging
import Proxy
import ServiceLifecycle
import Store
import Synchronization
import Telemetry

/// Carries out live re-sharding: takes the queued moves' steps one after another, through the
/// note store (the deployment controller, so a step rides out a proxy crash like any call),
/// paced by `MovePacer`, and keeps the latest placement for `/stats`, the REST accounts and
/// the dashboard, with the rate a change of the shard set moves notes at (`MoveRate`).
///
/// It holds no state of its own about a move — that is all in `placement.sqlite` — so a move
/// that a crash of a proxy or of `notely` interrupted goes on at the next step.
final class ReshardingWorker: Service, Sendable {
    /// How often an idle worker reads the placement again (note counts change with traffic):
    /// as often as the shards' request figures are pulled (`DeploymentController.statsInterval`).
    static let idleInterval = DeploymentController.statsInterval
    /// How often, while moves run, the notes per shard are counted again (a step's answer does
    /// not count them).
    static let countInterval = 0.25

    private let notes: any NoteStore
    private let accounts: any AccountStore
    /// The other calls' p99 lately, in seconds (nil: too few calls): what the pacing backs off on.
    private let recentP99: @Sendable () -> Double?
    /// How the first step is paced (and the largest batch it may take).
    private let initialPacer: MovePacer
    private let logger: Logger
    private let latest: Mutex<PlacementView>
    /// Fulfilled to end an idle wait at once (a move or a change was just queued).
    private let wake = Mutex(AsyncPromise<Void>())
    /// Callers of `refresh()`, answered once a view read after their call is published.
    private let waiting = Mutex<[AsyncPromise<Void>]>([])

    init(notes: any NoteStore, accounts: any AccountStore, initial: PlacementView, logger: Logger,
         pacer: MovePacer = MovePacer(), recentP99: @escaping @Sendable () -> Double? = { nil }) {
        self.notes = notes
        initialPacer = pacer
        self.accounts = accounts
        self.logger = logger
        self.recentP99 = recentP99
        latest = Mutex(initial)
    }

    /// Reads the placement once (for the worker's first view).
    static func read(notes: any NoteStore, accounts: any AccountStore) async throws -> PlacementView {
        PlacementView(placement: try await notes.describePlacement(), accounts: try await accounts.listAccounts())
    }

    /// The placement as last read, with accounts counted per shard.
    var view: PlacementView { latest.withLock { $0 } }

    /// Wakes the worker (a move or a change was just queued) and returns once the placement
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
        var pacer = initialPacer
        var rate = MoveRate()
        var counted = -Double.infinity
        while !Task.isCancelled {
            let signal = wake.withLock { $0 }
            let answering = waiting.withLock { waiting in
                defer { waiting = [] }
                return waiting
            }
            do {
                let before = view
                let started = ContinuousClock.now
                let stepped = try await notes.stepPlacement(batch: pacer.batch)
                let stepSeconds = (ContinuousClock.now - started).seconds
                let now = Date().timeIntervalSince1970
                var next = before
                if !answering.isEmpty || !stepped.hasWork || now - counted >= Self.countInterval {
                    next = PlacementView(placement: try await notes.describePlacement(), accounts: try await accounts.listAccounts())
                    counted = now
                } else {
                    next.update(from: stepped)
                }
                if let change = next.placement.change {
                    rate.record(notesLeft: change.notesLeft, at: now)
                    next.progress = PlacementView.Progress(notesPerSecond: rate.notesPerSecond,
                                                          etaSeconds: rate.etaSeconds(notesLeft: change.notesLeft))
                } else {
                    rate.reset()
                }
                latest.withLock { $0 = next }
                for caller in answering { caller.fulfill(()) }
                logProgress(from: before, to: next)
                if failing { logger.info("placement steps work again") }
                failing = false
                if stepped.hasWork {
                    pacer.adapt(stepSeconds: stepped.stepSeconds ?? stepSeconds, p99: recentP99())
                    try? await Task.sleep(for: .seconds(pacer.pause))
                    continue
                }
                pacer.observeSteady(p99: recentP99())
            } catch {
                for caller in answering { caller.fulfill(()) }
                if Task.isCancelled { return }
                if !failing { logger.warning("a placement step failed (it is tried again): \(ActionError(error).message)") }
                failing = true
            }
            _ = await signal.wait(timeout: Self.idleInterval)
        }
    }

    /// One line when a move switches or ends, when a copy is made again, when a shard retires
    /// and when a change ends: the log tells the story.
    private func logProgress(from before: PlacementView, to after: PlacementView) {
        // A move at a time, each is a line; a change that moves hundreds of accounts is its
        // shards' lines and its end.
        let eachMove = before.placement.moves.count < 20
        for move in before.placement.moves where eachMove && after.placement.move(of: move.accountId)?.switched != move.switched {
            let now = after.placement.move(of: move.accountId)
            if now?.switched == true {
                logger.info("account \(move.accountId.uuidText) now served by shard-\(move.to) (\(now?.total ?? 0) notes copied, verified)")
            } else if now == nil {
                logger.info("account \(move.accountId.uuidText) moved shard-\(move.from) → shard-\(move.to)")
            }
        }
        if after.placement.recopied > before.placement.recopied {
            logger.warning("a copy differed from its source before the switch: copied again (\(after.placement.recopied) so far)")
        }
        for index in after.placement.states.indices
        where after.placement.states[index] == .retired && before.placement.state(of: index) == .draining {
            logger.info("shard-\(index) drained and retired")
        }
        if let change = before.placement.change, after.placement.change == nil {
            switch change.kind {
            case .migrate:
                logger.info("migration to \(change.engine?.rawValue ?? "?") done: every note is on \(change.engine?.rawValue ?? "?")")
            case .grow, .drain:
                logger.info("re-sharding \(change.from) → \(change.to) done: every account is where the placement rule puts it")
            }
        }
    }
}
