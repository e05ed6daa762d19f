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
public final class DeploymentController: NoteStore {
    /// How often shard stats are pulled from the proxies.
    public static let instrumentInterval: Duration = .seconds(2)
    /// How often serving proxies are checked for a crash.
    public static let supervisionInterval: Duration = .milliseconds(250)
    /// Failed `Ready` checks in a row after which a live but unresponsive proxy is replaced.
    public static let failedChecksBeforeReplace = 3

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

    private struct State {
        var status = DeploymentStatus.initial
        var current: ServingProxy?
        var previous: ServingProxy?
        var previousServing = false
        var deploying = false
        var targetVersion: Int?
        var rolloutEndsAt: ContinuousClock.Instant?
        var lastError: String?
        var restarts = 0
        var deploys = 0
        var shuttingDown = false
        var executable: URL
    }

    private let configuration: Configuration
    private let stats: StatsCollector
    private let logger: Logger
    private let state: Mutex<State>
    /// Serializes changes of who serves (a deploy's swaps, a crash replacement).
    private let membership = AsyncLock()
    private let background = Mutex<[Task<Void, Never>]>([])

    public init(configuration: Configuration, stats: StatsCollector, logger: Logger) {
        var launch = configuration.launch
        launch.stats = stats
        var configured = configuration
        configured.launch = launch
        self.configuration = configured
        self.stats = stats
        self.logger = logger
        self.state = Mutex(State(executable: launch.executable))
    }

    // MARK: Reading

    public func status() -> DeploymentStatus { state.withLock { $0.status } }
    public func current() -> DataProxyProcess? { state.withLock { $0.current?.process } }
    public func previous() -> DataProxyProcess? { state.withLock { $0.previous?.process } }

    public func snapshot() -> DeploymentSnapshot {
        let perVersion = stats.collectProxyStats()
        func rate(_ id: Int) -> Double {
            let sum = perVersion[id]?.values.reduce(0) { $0 + $1.requestsPerSec } ?? 0
            return (sum * 100).rounded() / 100
        }
        return state.withLock { state in
            func version(_ proxy: ServingProxy?, serving: Bool) -> VersionSnapshot? {
                guard let proxy else { return nil }
                let process = proxy.process
                return VersionSnapshot(id: process.id, pid: Int(process.pid), port: process.port, launchedAt: process.launchedAt,
                                       requestsPerSec: rate(process.id), readyMs: Int(process.secondsToReady * 1000), serving: serving)
            }
            var secondsLeft: Int?
            if state.status == .rolloutWait, let endsAt = state.rolloutEndsAt {
                secondsLeft = max(0, Int((endsAt - ContinuousClock.now).seconds.rounded(.up)))
            }
            return DeploymentSnapshot(
                status: state.status, current: version(state.current, serving: true),
                previous: version(state.previous, serving: state.previousServing), rolloutSecondsLeft: secondsLeft,
                rolloutWaitSeconds: configuration.rolloutWait.seconds, targetVersion: state.targetVersion,
                lastError: state.lastError, restarts: state.restarts, deploys: state.deploys)
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
        track(Task { _ = try? await self.runDeploy(target: target) })
        return target
    }

    /// The try-lock: marks a deploy as running, or refuses.
    private func beginDeploy() throws -> Int {
        try state.withLock { state in
            if state.shuttingDown { throw DeployError.shuttingDown }
            if state.deploying { throw DeployError.alreadyRunning(targetVersion: state.targetVersion) }
            state.deploying = true
            let target = (state.current?.id ?? 0) + 1
            state.targetVersion = target
            state.status = .rolloutLaunchNew
            return target
        }
    }

    private func runDeploy(target: Int) async throws -> Int {
        defer {
            state.withLock { state in
                state.deploying = false
                state.targetVersion = nil
                state.rolloutEndsAt = nil
                state.status = state.current == nil ? .initial : .ready
            }
        }
        logger.info("deploy v\(target): launching")
        let launched: DataProxyProcess
        do {
            launched = try await launchVersion(target)
        } catch {
            state.withLock { $0.lastError = "deploy v\(target) failed: \(error)" }
            logger.error("deploy v\(target) failed; the serving version stays", metadata: ["error": "\(error)"])
            throw error
        }
        let newProxy = ServingProxy(launched)
        let old: ServingProxy? = await membership.withLock {
            state.withLock { state in
                let old = state.current
                state.previous = old
                state.previousServing = old != nil
                state.current = newProxy
                state.lastError = nil
                state.deploys += 1
                if old != nil {
                    state.status = .rolloutWait
                    state.rolloutEndsAt = ContinuousClock.now + configuration.rolloutWait
                }
                return old
            }
        }
        guard let old else {
            logger.info("v\(target) is serving", metadata: ["readyMs": "\(Int(launched.secondsToReady * 1000))"])
            return target
        }
        logger.info("v\(target) ready in \(Int(launched.secondsToReady * 1000)) ms; serving beside v\(old.id) for \(configuration.rolloutWait)")
        try? await Task.sleep(for: configuration.rolloutWait)
        await retirePrevious()
        logger.info("rollout to v\(target) complete")
        return target
    }

    private func launchVersion(_ id: Int) async throws -> DataProxyProcess {
        if let rebuilder = configuration.rebuilder {
            let binary = try await rebuilder.build(logger: logger)
            state.withLock { $0.executable = binary }
        }
        return try await DataProxyProcess.launch(id: id, configuration: launchConfiguration(), logger: logger)
    }

    /// The launch settings with the newest binary (a `--rebuild` may have made one).
    private func launchConfiguration() -> ProxyLaunchConfiguration {
        var launch = configuration.launch
        launch.executable = state.withLock { $0.executable }
        return launch
    }

    /// Takes the previous version out of the routing, lets its calls finish, then stops it.
    /// (Whatever process is previous now: a crash may have replaced the one the rollout began with.)
    private func retirePrevious() async {
        let retiring: ServingProxy? = await membership.withLock {
            state.withLock { state in
                state.previousServing = false
                return state.previous
            }
        }
        guard let old = retiring else { return }
        if !(await old.drain(timeout: configuration.drainTimeout)) {
            logger.warning("v\(old.id) still had calls in flight after \(configuration.drainTimeout); stopping it anyway")
        }
        await exportStats(of: old)
        stats.retireShardExport(from: old.statsSource)
        await old.process.shutdown(logger: logger)
        state.withLock { state in
            if state.previous === old { state.previous = nil }
        }
        logger.info("v\(old.id) retired")
    }

    // MARK: NoteStore: routing

    /// Picks a serving version (at random when two serve) and marks a call in flight on it.
    private func enterServingProxy(excluding excluded: ServingProxy? = nil) -> ServingProxy? {
        state.withLock { state in
            var candidates: [ServingProxy] = []
            if let current = state.current { candidates.append(current) }
            if state.previousServing, let previous = state.previous { candidates.append(previous) }
            candidates.removeAll { $0 === excluded }
            guard let chosen = candidates.randomElement() else { return nil }
            chosen.enter()
            return chosen
        }
    }

    /// Sends a call to a serving version. A call that never left this process (nothing
    /// listening) is sent once more to the other serving version; nothing else is retried,
    /// because it may have reached a proxy.
    private func route<T: Sendable>(_ call: (ProxyClient) async throws -> T) async throws -> T {
        guard let chosen = enterServingProxy() else { throw DeployError.noServingProxy }
        do {
            defer { chosen.leave() }
            return try await call(chosen.client)
        } catch let error as ProxyClientError where error.isNotSent {
            guard let other = enterServingProxy(excluding: chosen) else { throw error }
            defer { other.leave() }
            logger.debug("v\(chosen.id) unreachable; sent to v\(other.id) instead")
            return try await call(other.client)
        }
    }

    public func listNotes(accountId: UUID) async throws -> [Note] {
        try await route { try await $0.listNotes(accountId: accountId) }
    }

    public func getNote(accountId: UUID, noteId: UUID) async throws -> Note? {
        try await route { try await $0.getNote(accountId: accountId, noteId: noteId) }
    }

    public func createNote(accountId: UUID, note: Note) async throws {
        try await route { try await $0.createNote(accountId: accountId, note: note) }
    }

    public func updateNote(accountId: UUID, note: Note) async throws {
        try await route { try await $0.updateNote(accountId: accountId, note: note) }
    }

    public func deleteNote(accountId: UUID, note: Note) async throws {
        try await route { try await $0.deleteNote(accountId: accountId, note: note) }
    }

    public func countNotes(accountId: UUID) async throws -> Int {
        try await route { try await $0.countNotes(accountId: accountId) }
    }

    public func totalNotes() async throws -> Int {
        try await route { try await $0.totalNotes() }
    }

    public func healthCheck() async throws {
        try await route { try await $0.healthCheck() }
    }

    // MARK: Telemetry and supervision

    /// Starts the background loops: shard stats every `instrumentInterval`, and crash
    /// supervision. Both end at `shutdown()`.
    public func startBackgroundWork() {
        startInstrument()
        track(Task { await self.superviseLoop() })
    }

    /// Pulls `ExportShardStats` from every running version every `instrumentInterval`.
    public func startInstrument() {
        track(Task {
            while !Task.isCancelled {
                for proxy in self.runningProxies() { await self.exportStats(of: proxy) }
                try? await Task.sleep(for: Self.instrumentInterval)
            }
        })
    }

    private func runningProxies() -> [ServingProxy] {
        state.withLock { state in [state.current, state.previous].compactMap { $0 } }
    }

    private func exportStats(of proxy: ServingProxy) async {
        guard proxy.process.isRunning, let export = try? await proxy.client.exportShardStats(timeout: .seconds(1)) else { return }
        stats.recordShardExport(export, from: proxy.statsSource)
    }

    private func superviseLoop() async {
        var tick = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.supervisionInterval)
            tick += 1
            let checkHealth = tick % 4 == 0   // once a second
            for proxy in servingProxies() {
                if !proxy.process.isRunning {
                    await replace(proxy, reason: "exited with status \(proxy.process.exitStatus ?? -1)")
                } else if checkHealth {
                    if (try? await proxy.client.ready(timeout: .seconds(1))) != nil {
                        proxy.healthCheckPassed()
                    } else if proxy.healthCheckFailed() >= Self.failedChecksBeforeReplace {
                        await replace(proxy, reason: "stopped answering Ready")
                    }
                }
            }
        }
    }

    /// The proxies that should be serving (a retiring one is left alone: it is being stopped).
    private func servingProxies() -> [ServingProxy] {
        state.withLock { state in
            guard !state.shuttingDown else { return [] }
            var proxies = [state.current].compactMap { $0 }
            if state.previousServing, let previous = state.previous { proxies.append(previous) }
            return proxies
        }
    }

    /// Replaces a crashed or hung proxy with a fresh process of the same version.
    private func replace(_ broken: ServingProxy, reason: String) async {
        logger.error("v\(broken.id) (pid \(broken.process.pid)) \(reason); starting a fresh v\(broken.id)")
        await membership.withLock {
            let stillServing = state.withLock { state in
                !state.shuttingDown && (state.current === broken || (state.previous === broken && state.previousServing))
            }
            guard stillServing else { return }
            // Its last export (from the instrument loop) stands: a broken proxy cannot be asked.
            stats.retireShardExport(from: broken.statsSource)
            if broken.process.isRunning { kill(broken.process.pid, SIGKILL) }
            let fresh: DataProxyProcess
            do {
                fresh = try await DataProxyProcess.launch(id: broken.id, configuration: launchConfiguration(), logger: logger)
            } catch {
                state.withLock { $0.lastError = "restart of v\(broken.id) failed: \(error)" }
                logger.error("restart of v\(broken.id) failed; will try again", metadata: ["error": "\(error)"])
                return
            }
            let replacement = ServingProxy(fresh)
            state.withLock { state in
                if state.current === broken { state.current = replacement }
                if state.previous === broken { state.previous = replacement }
                state.restarts += 1
            }
            logger.info("v\(broken.id) restarted", metadata: ["pid": "\(fresh.pid)"])
        }
        await broken.process.shutdown(logger: logger)
    }

    // MARK: Shutdown

    /// Stops every proxy (whichever exist) and the background work. Deploys are refused from
    /// now on; a deploy in progress is abandoned and its new version stopped too. Completes
    /// even when called from a cancelled task.
    public func shutdown() async {
        await Task { await self.stopEverything() }.value
    }

    private func stopEverything() async {
        state.withLock { $0.shuttingDown = true }
        let tasks = background.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        let proxies = state.withLock { state -> [ServingProxy] in
            defer {
                state.current = nil
                state.previous = nil
                state.previousServing = false
            }
            return [state.current, state.previous].compactMap { $0 }
        }
        for proxy in proxies {
            _ = await proxy.drain(timeout: .seconds(2))
            await proxy.process.shutdown(logger: logger)
        }
    }

    private func track(_ task: Task<Void, Never>) {
        background.withLock { $0.append(task) }
        if state.withLock({ $0.shuttingDown }) { task.cancel() }
    }
}
