import Foundation
import Logging
import Store
import Synchronization
import Telemetry

/// Rolls data proxy versions out while traffic flows — and is itself the `NoteStore` that the
/// REST API and the dashboard use, so it decides where every call goes.
///
/// A deploy launches `current.id + 1`, waits until it answers `Ready`, makes it current, lets
/// both versions serve (calls are routed to one of the two at random) for the rollout wait,
/// then takes the previous version out of the routing, drains its calls in flight and stops
/// it. A version that never becomes ready is stopped and the old one keeps serving alone.
/// Deploys never queue: a second one while one runs is refused at once.
///
/// Its jobs live in one file each: the rollout's states (`RolloutState`), deploying (here),
/// routing (`+Routing`), supervision (`+Supervision`) and shard-stats polling (`+StatsPolling`).
public final class DeploymentController: NoteStore {
    public struct Configuration: Sendable {
        public var launch: ProxyLaunchConfiguration
        public var rolloutWait: Duration
        /// The longest a retiring version may take to finish its calls in flight.
        public var drainTimeout: Duration = .seconds(10)
        /// Set for `--rebuild`: compile before each new version.
        public var rebuilder: Rebuilder?

        public init(launch: ProxyLaunchConfiguration, rolloutWait: Duration, rebuilder: Rebuilder? = nil) {
            self.launch = launch
            self.rolloutWait = rolloutWait
            self.rebuilder = rebuilder
        }
    }

    /// The rollout and the figures kept beside it, under one lock.
    struct Record {
        var rollout = RolloutState<ServingProxy>.idle(current: nil)
        var lastError: String?
        var restarts = 0
        var deploys = 0
        /// The current version's recent crashes, for back-off.
        var crashes = CrashHistory()
        /// Fulfilled (and replaced) whenever who serves changes, waking calls that wait for a
        /// serving version.
        var changed = AsyncPromise<Void>()

        mutating func announceChange() {
            changed.fulfill(())
            changed = AsyncPromise()
        }
    }

    let configuration: Configuration
    let stats: StatsCollector
    /// How long the note calls of accounts took lately (the placement worker paces moves by it).
    public let recentLatencies = RecentLatencies()
    let logger: Logger
    let record = Mutex(Record())
    let launcher: ProxyLauncher
    /// Serializes changes of who serves (a deploy's swaps, a crash replacement).
    let membership = AsyncLock()
    /// Work running in the background (deploys, watchers, polling), each removing itself when
    /// done, so a long demo with many restarts keeps no finished tasks.
    private let background = Mutex<[UUID: Task<Void, Never>]>([:])

    public init(configuration: Configuration, stats: StatsCollector, logger: Logger) {
        var launch = configuration.launch
        launch.stats = stats
        self.configuration = configuration
        self.stats = stats
        self.logger = logger
        launcher = ProxyLauncher(configuration: launch, rebuilder: configuration.rebuilder)
    }

    // MARK: Reading

    public func status() -> DeploymentStatus { record.withLock { $0.rollout.status } }
    /// Whether a deploy builds the code again (`--rebuild`): two versions may then be two builds.
    public var rebuildsOnDeploy: Bool { configuration.rebuilder != nil }
    public func current() -> DataProxyProcess? { record.withLock { $0.rollout.current?.process } }
    public func previous() -> DataProxyProcess? { record.withLock { $0.rollout.previous?.process } }

    public func snapshot() -> DeploymentSnapshot {
        let perVersion = stats.collectProxyStats()
        func rate(_ id: Int) -> Double {
            let sum = perVersion[id]?.values.reduce(0) { $0 + $1.requestsPerSec } ?? 0
            return (sum * 100).rounded() / 100
        }
        return record.withLock { record in
            let rollout = record.rollout
            func version(_ proxy: ServingProxy?) -> VersionSnapshot? {
                guard let proxy else { return nil }
                let process = proxy.process
                return VersionSnapshot(id: process.id, pid: Int(process.pid), port: process.port, launchedAt: process.launchedAt,
                                       requestsPerSec: rate(process.id), readyMs: Int(process.secondsToReady * 1000),
                                       serving: rollout.isServing(proxy))
            }
            var secondsLeft: Int?
            if rollout.status == .rolloutWait {
                secondsLeft = rollout.rolloutEndsAt.map { max(0, Int(($0 - ContinuousClock.now).seconds.rounded(.up))) } ?? 0
            }
            return DeploymentSnapshot(
                status: rollout.status, current: version(rollout.current), previous: version(rollout.previous),
                rolloutSecondsLeft: secondsLeft, rolloutWaitSeconds: configuration.rolloutWait.seconds,
                targetVersion: rollout.targetVersion, lastError: record.lastError, restarts: record.restarts,
                deploys: record.deploys)
        }
    }

    // MARK: Deploying

    /// Runs a whole deploy and returns the version it brought up. Throws `alreadyRunning` at
    /// once if another deploy is running, or the launch error if the new version failed.
    @discardableResult
    public func deploy() async throws -> Int {
        let target = try beginDeploy()
        return try await runDeploy(target: target)
    }

    /// Starts a deploy in the background and returns its target version at once (for
    /// `POST /deploy` and the dashboard's `d`). Throws `alreadyRunning` if one is running.
    @discardableResult
    public func startDeploy() throws -> Int {
        let target = try beginDeploy()
        inBackground { _ = try? await self.runDeploy(target: target) }
        return target
    }

    private func beginDeploy() throws(DeployError) -> Int {
        try record.withLock { record throws(DeployError) in try record.rollout.beginDeploy() }
    }

    private func runDeploy(target: Int) async throws -> Int {
        logger.info("deploy v\(target): launching")
        let launched: DataProxyProcess
        do {
            launched = try await launcher.launchNewVersion(target, logger: logger)
        } catch {
            record.withLock { record in
                record.rollout.launchFailed()
                record.lastError = "deploy v\(target) failed: \(error)"
            }
            logger.error("deploy v\(target) failed; the serving version stays", metadata: ["error": "\(error)"])
            throw error
        }
        let newProxy = ServingProxy(launched)
        let promotion = await membership.withLock {
            record.withLock { record in
                let promotion = record.rollout.promote(newProxy, rolloutEndsAt: ContinuousClock.now + configuration.rolloutWait)
                if case .refused = promotion { return promotion }
                record.lastError = nil
                record.deploys += 1
                record.crashes.reset()
                record.announceChange()
                return promotion
            }
        }
        let readyMs = Int(launched.secondsToReady * 1000)
        switch promotion {
        case .refused:
            await launched.shutdown(logger: logger)
            throw DeployError.shuttingDown
        case .servingAlone:
            watch(newProxy)
            logger.info("v\(target) is serving", metadata: ["readyMs": "\(readyMs)"])
        case .servingBeside(let old):
            watch(newProxy)
            logger.info("v\(target) ready in \(readyMs) ms; serving beside v\(old.id) for \(configuration.rolloutWait)")
            switch await waitOutRollout(of: newProxy) {
            case .timeUp:
                await retirePrevious()
                logger.info("rollout to v\(target) complete")
            case .previousGone:
                logger.info("rollout to v\(target) complete (v\(old.id) went before its time)")
            case .rolledBack:
                let reason = record.withLock { $0.lastError } ?? "v\(target) failed during its rollout"
                throw DeployError.rolledBack(reason)
            case .shutDown:
                throw DeployError.shuttingDown
            }
        }
        return target
    }

    private enum RolloutEnd { case timeUp, previousGone, rolledBack, shutDown }

    /// Waits out `ROLLOUT_WAIT` — unless supervision ends it early: a rollback when the new
    /// version fails, or the previous version gone before its time.
    private func waitOutRollout(of newProxy: ServingProxy) async -> RolloutEnd {
        while true {
            let (rollout, changed) = record.withLock { ($0.rollout, $0.changed) }
            switch rollout {
            case .bothServing(let current, _, let endsAt) where current === newProxy:
                if ContinuousClock.now >= endsAt { return .timeUp }
                let left = endsAt - ContinuousClock.now
                if await changed.wait(timeout: left) == nil, Task.isCancelled { return .shutDown }
            case .idle(let current) where current === newProxy:
                return .previousGone
            case .stopped:
                return .shutDown
            default:
                return .rolledBack
            }
        }
    }

    /// Takes the previous version out of the routing, lets its calls finish, then stops it.
    private func retirePrevious() async {
        let retiring = await membership.withLock {
            record.withLock { record in
                defer { record.announceChange() }
                return record.rollout.stopRoutingPrevious()
            }
        }
        guard let old = retiring else { return }
        if !(await old.drain(timeout: configuration.drainTimeout)) {
            logger.warning("v\(old.id) still had calls in flight after \(configuration.drainTimeout); stopping it anyway")
        }
        await exportStats(of: old)
        stats.retireShardExport(from: old.statsSource)
        await old.process.shutdown(logger: logger)
        record.withLock { record in
            record.rollout.previousRetired()
            record.announceChange()
        }
        logger.info("v\(old.id) retired")
    }

    // MARK: Background work and shutdown

    /// Starts the shard-stats polling (supervision starts with each serving version). It ends
    /// at `shutdown()`.
    public func startBackgroundWork() {
        startStatsPolling()
    }

    /// Stops every proxy (whichever exist) and the background work. Deploys are refused from
    /// now on; a deploy in progress is abandoned and its new version stopped too. Completes
    /// even when called from a cancelled task.
    public func shutdown() async {
        await Task { await self.stopEverything() }.value
    }

    private func stopEverything() async {
        let proxies = record.withLock { record in
            defer { record.announceChange() }
            return record.rollout.stop()
        }
        let tasks = background.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for proxy in proxies {
            _ = await proxy.drain(timeout: .seconds(2))
            await proxy.process.shutdown(logger: logger)
        }
    }

    /// Runs `operation` in the background until it ends or `shutdown()` cancels it.
    func inBackground(_ operation: @escaping @Sendable () async -> Void) {
        let id = UUID()
        let task = background.withLock { tasks in
            // Inserted under the lock the task takes to remove itself, so it can't finish first.
            let task = Task {
                await operation()
                _ = self.background.withLock { $0.removeValue(forKey: id) }
            }
            tasks[id] = task
            return task
        }
        if case .stopped = record.withLock({ $0.rollout }) { task.cancel() }
    }
}
