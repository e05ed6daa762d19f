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
/// With a `RolloutPlan` the new version earns its traffic step by step instead, and a step
/// that fails its analysis rolls it back (`+Steps`). Deploys never queue: a second one while
/// one runs is refused at once.
///
/// Its jobs live in one file each: the rollout's states (`RolloutState`), deploying (here),
/// the steps of a progressive rollout (`+Steps`), routing (`+Routing`, `+Mirroring`),
/// supervision (`+Supervision`), faults on purpose (`+Chaos`) and shard-stats polling
/// (`+StatsPolling`).
public final class DeploymentController: NoteStore {
    public struct Configuration: Sendable {
        public var launch: ProxyLaunchConfiguration
        public var rolloutWait: Duration
        /// The longest a retiring version may take to finish its calls in flight.
        public var drainTimeout: Duration = .seconds(10)
        /// Set for `--rebuild`: compile before each new version.
        public var rebuilder: Rebuilder?
        /// The steps of every deploy that names none (`--rollout-steps`); nil for the seed's rollout.
        public var plan: RolloutPlan?
        /// How a step of a progressive rollout is judged.
        public var thresholds = AnalysisThresholds()

        public init(launch: ProxyLaunchConfiguration, rolloutWait: Duration, rebuilder: Rebuilder? = nil,
                    plan: RolloutPlan? = nil, thresholds: AnalysisThresholds = AnalysisThresholds()) {
            self.launch = launch
            self.rolloutWait = rolloutWait
            self.rebuilder = rebuilder
            self.plan = plan
            self.thresholds = thresholds
        }
    }

    /// The rollout and the figures kept beside it, under one lock.
    struct Record {
        var rollout = RolloutState<ServingProxy>.idle(current: nil)
        var lastError: String?
        var restarts = 0
        var deploys = 0
        /// New versions sent back during their rollout (a failed step, or a crash).
        var rollbacks = 0
        /// Serving versions that exited or were killed while serving, on purpose or not.
        var crashCount = 0
        /// The current version's recent crashes, for back-off.
        var crashes = CrashHistory()
        /// The steps and verdicts of the running (or last) progressive rollout.
        var progress: RolloutProgress?
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
                let serving = rollout.isServing(proxy)
                let share = !serving ? 0 : rollout.newShare.map { proxy === rollout.current ? $0 : 100 - $0 } ?? 100
                return VersionSnapshot(id: process.id, pid: Int(process.pid), port: process.port, launchedAt: process.launchedAt,
                                       requestsPerSec: rate(process.id), readyMs: Int(process.secondsToReady * 1000),
                                       serving: serving, share: share, window: WindowFigures(proxy.windowSoFar))
            }
            var secondsLeft: Int?
            if rollout.status == .rolloutWait {
                let stepsAfter = Double(record.progress?.stepsAfterThis ?? 0) * (record.progress?.stepSeconds ?? 0)
                secondsLeft = rollout.rolloutEndsAt.map { max(0, Int((($0 - ContinuousClock.now).seconds + stepsAfter).rounded(.up))) } ?? 0
            }
            return DeploymentSnapshot(
                status: rollout.status, current: version(rollout.current), previous: version(rollout.previous),
                rolloutSecondsLeft: secondsLeft, rolloutWaitSeconds: configuration.rolloutWait.seconds,
                targetVersion: rollout.targetVersion, lastError: record.lastError, restarts: record.restarts,
                deploys: record.deploys, rollbacks: record.rollbacks, crashes: record.crashCount, rollout: record.progress)
        }
    }

    // MARK: Deploying

    /// Runs a whole deploy and returns the version it brought up: in `plan`'s steps, or the
    /// configured ones. Throws `alreadyRunning` at once if another deploy is running, the launch
    /// error if the new version failed, or `rolledBack` when it failed during its rollout.
    @discardableResult
    public func deploy(plan: RolloutPlan? = nil) async throws -> Int {
        let target = try beginDeploy()
        return try await runDeploy(target: target, plan: plan ?? configuration.plan)
    }

    /// Starts a deploy in the background and returns its target version at once (for
    /// `POST /deploy` and the dashboard's `d`). Throws `alreadyRunning` if one is running.
    @discardableResult
    public func startDeploy(plan: RolloutPlan? = nil) throws -> Int {
        let target = try beginDeploy()
        let plan = plan ?? configuration.plan
        inBackground { _ = try? await self.runDeploy(target: target, plan: plan) }
        return target
    }

    private func beginDeploy() throws(DeployError) -> Int {
        try record.withLock { record throws(DeployError) in try record.rollout.beginDeploy() }
    }

    private func runDeploy(target: Int, plan: RolloutPlan?) async throws -> Int {
        logger.info("deploy v\(target): launching")
        let launched: DataProxyProcess
        do {
            launched = try await launcher.launchNewVersion(target, logger: logger)
        } catch {
            record.withLock { record in
                record.rollout.launchFailed()
                record.progress = nil
                record.lastError = "deploy v\(target) failed: \(error)"
            }
            logger.error("deploy v\(target) failed; the serving version stays", metadata: ["error": "\(error)"])
            throw error
        }
        let newProxy = ServingProxy(launched)
        let stepDuration = plan?.stepDuration(of: configuration.rolloutWait) ?? configuration.rolloutWait
        let promotion = await membership.withLock {
            record.withLock { record in
                let promotion = record.rollout.promote(newProxy, share: plan?.steps[0] ?? 50, until: ContinuousClock.now + stepDuration)
                if case .refused = promotion { return promotion }
                record.lastError = nil
                record.deploys += 1
                record.crashes.reset()
                record.progress = nil
                if case .servingBeside = promotion, let plan {
                    record.progress = RolloutProgress(plan: plan, stepSeconds: stepDuration.seconds)
                }
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
            if let plan {
                logger.info("v\(target) ready in \(readyMs) ms; taking calls from v\(old.id) in steps \(plan.description) over \(configuration.rolloutWait)")
            } else {
                logger.info("v\(target) ready in \(readyMs) ms; serving beside v\(old.id) for \(configuration.rolloutWait)")
            }
            var end = if let plan { await runSteps(plan, of: newProxy, stepDuration: stepDuration) } else { await waitOutRollout(of: newProxy) }
            record.withLock { $0.progress?.step = nil }
            if end == .timeUp, !(await retirePrevious()) {
                end = await waitOutRollout(of: newProxy)   // who serves changed as the wait ended: say how
            }
            switch end {
            case .timeUp:
                logger.info("rollout to v\(target) complete\(plan.map { ": \($0.description)" } ?? "")")
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

    enum RolloutEnd { case timeUp, previousGone, rolledBack, shutDown }

    /// Waits out `ROLLOUT_WAIT`, or a step of it — unless supervision ends it early: a rollback
    /// when the new version fails, or the previous version gone before its time.
    func waitOutRollout(of newProxy: ServingProxy) async -> RolloutEnd {
        while true {
            let (rollout, changed) = record.withLock { ($0.rollout, $0.changed) }
            switch rollout {
            case .bothServing(let current, _, _, let endsAt) where current === newProxy:
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

    /// Takes the previous version out of the routing — the new one has every call from here,
    /// promoted — lets its calls finish, then stops it. False when both no longer served.
    private func retirePrevious() async -> Bool {
        let retired = await retire(leaving: { record in
            let retiring = record.rollout.stopRoutingPrevious()
            if retiring != nil { record.progress?.promoted = true }
            return retiring
        }, then: { $0.previousRetired() })
        guard let retired else { return false }
        logger.info("v\(retired.id) retired")
        return true
    }

    /// Takes a version out of the routing (`leave` says which, under the membership lock), lets
    /// its calls finish and stops it, then records that it is gone (`then`). Nil when `leave`
    /// found none to take out.
    func retire(leaving leave: (inout Record) -> ServingProxy?,
                then gone: (inout RolloutState<ServingProxy>) -> Void) async -> ServingProxy? {
        let leaving = await membership.withLock {
            record.withLock { record in
                defer { record.announceChange() }
                return leave(&record)
            }
        }
        guard let leaving else { return nil }
        await drainAndStop(leaving)
        record.withLock { record in
            gone(&record.rollout)
            record.announceChange()
        }
        return leaving
    }

    /// Lets the calls in flight to `proxy` (out of the routing now) finish, keeps its last shard
    /// figures, and stops it.
    func drainAndStop(_ proxy: ServingProxy) async {
        if !(await proxy.drain(timeout: configuration.drainTimeout)) {
            logger.warning("v\(proxy.id) still had calls in flight after \(configuration.drainTimeout); stopping it anyway")
        }
        await exportStats(of: proxy)
        stats.retireShardExport(from: proxy.statsSource)
        await proxy.process.shutdown(logger: logger)
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
