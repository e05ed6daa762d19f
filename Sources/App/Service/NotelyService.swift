import Foundation
import Hummingbird
import Logging
import NIOCore
import Proxy
import ServiceLifecycle
import Synchronization
import UnixSignals
import Store
import Telemetry

/// The whole running system — deployment controller with its proxies, REST API, load
/// generator — shared by the headless mode and the dashboard.
///
/// `start` opens the data dir and brings up v1; `run` serves until a graceful shutdown
/// (SIGINT/SIGTERM or `requestShutdown()`), then stops in order: load generator, REST server,
/// proxies, databases.
final class NotelyService: Sendable {
    struct Options: Sendable {
        var dataDirectory: String
        var clean = false
        var port = 8080
        /// `--shards`: the count of a new data dir, which an existing one must have; nil takes
        /// what the data dir has (`NotelyCommand.defaultShards` for a new one).
        var shards: Int?
        /// `--engine`: where a new data dir's shards live.
        var engine = ShardEngine.sqlite
        /// `--postgres`, parsed: the server of `postgres` shards.
        var postgres: PostgresSettings?
        /// `--postgres` as given, handed to the proxies in their environment (nil: they inherit
        /// this process's `NOTELY_POSTGRES_URL`, if any).
        var postgresURL: String?
        var durability = Durability.default
        /// `--log-level`, passed on to every proxy.
        var logLevel = "info"
        var rolloutWait: Duration = .seconds(30)
        /// `--rollout-steps`: the steps of every deploy; nil for the seed's 50/50 rollout.
        var rolloutPlan: RolloutPlan?
        /// How a step is judged, and `--mirror-reads`.
        var thresholds = AnalysisThresholds()
        var load: LoadGenerator.Configuration? = .init(accounts: 5, requestsPerMinute: 600)
        var rebuild = false
        /// `--move-batch`: the most notes a step of a move copies (nil: as the load allows).
        var moveBatch: Int?
        var workingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var executable = ProxyLaunchConfiguration.currentExecutable()
        /// How long a new version may take to answer `Ready` before it is given up.
        var readyTimeout: Duration = .seconds(10)
    }

    let options: Options
    let stats: StatsCollector
    let logs: LogCapture
    let controller: DeploymentController
    let accounts: SQLiteAccountStore
    /// What the REST API and the dashboard do, on the notes of `frontEndNotes`.
    let actions: NotelyActions
    let placement: ReshardingWorker
    let loadGenerator: LoadGenerator?
    /// The PostgreSQL server's state, when the service has one.
    let postgresMonitor: PostgresMonitor?
    /// `127.0.0.1:PORT` once the REST server listens.
    let restAddress = AsyncPromise<String>()
    private let startedAt = ContinuousClock.now
    private let logger: Logger
    /// This process's claim on the data dir, held as long as the service lives.
    private let lock: DataDirectoryLock
    /// The running group, and whether `requestShutdown()` came before it existed.
    private let group = Mutex<(running: ServiceGroup?, shutdownRequested: Bool)>((nil, false))

    private init(options: Options, stats: StatsCollector, logs: LogCapture, controller: DeploymentController,
                 accounts: SQLiteAccountStore, actions: NotelyActions, lock: DataDirectoryLock, logger: Logger) {
        self.options = options
        self.lock = lock
        self.stats = stats
        self.logs = logs
        self.controller = controller
        self.accounts = accounts
        self.actions = actions
        self.placement = actions.placement
        self.logger = logger
        postgresMonitor = options.postgres.map { PostgresMonitor(settings: $0, logger: Logger(label: "postgres")) }
        let address = restAddress
        loadGenerator = options.load.map { configuration in
            LoadGenerator(configuration: configuration, baseURL: { "http://" + ((try? await address.wait()) ?? "127.0.0.1:0") },
                          logger: Logger(label: "load"))
        }
    }

    /// Opens the databases (checking the shard count) and deploys v1. The front ends reach
    /// the notes through `frontEndNotes` of the controller: the controller itself, or — in a
    /// test — a store in front of it that injects a fault.
    static func start(options: Options, logs: LogCapture, logger: Logger,
                      frontEndNotes: @Sendable (DeploymentController) -> any NoteStore = { $0 }) async throws -> NotelyService {
        let dataDirectory = DataDirectory(path: options.dataDirectory)
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(dataDirectory)
        } catch let failure as DataDirectoryLock.Failure {
            throw ExitMessage(code: 2, failure.description)
        }
        if options.clean {
            try await dataDirectory.removeDatabases(postgres: options.postgres)
            logger.info("removed the databases in \(options.dataDirectory)")
        }
        // Opening the shards here makes a new data dir, and gives a clear error for a wrong
        // --shards before any child runs.
        let store = if let shards = options.shards {
            try ShardedNoteStore(dataDirectory: dataDirectory, shardCount: shards, engineIfNew: options.engine,
                                 postgres: options.postgres, durability: options.durability)
        } else {
            try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: NotelyCommand.defaultShards, engineIfNew: options.engine,
                                 postgres: options.postgres, durability: options.durability)
        }
        defer { try? store.close() }
        let engines = try store.engines()
        if engines.contains(.postgres) {
            // A server that refuses or never answers is a clear error now, not a hang later.
            do {
                _ = try await store.perform(.healthCheck, deadline: Date() + 5) { _ in }
            } catch {
                throw ExitMessage(code: 2, "cannot use the data dir's PostgreSQL shards: \(error)")
            }
        }
        logger.info("data dir \(options.dataDirectory) has \(engines.count) shards",
                    metadata: ["engines": "\(engines.map(\.rawValue).joined(separator: ","))"])
        let accounts = try SQLiteAccountStore(dataDirectory: dataDirectory, durability: options.durability)

        let stats = StatsCollector()
        var launch = ProxyLaunchConfiguration(executable: options.executable, dataDirectory: options.dataDirectory,
                                              durability: options.durability, postgresURL: options.postgresURL,
                                              logLevel: options.logLevel,
                                              workingDirectory: options.workingDirectory,
                                              logCapture: logs, stats: stats)
        launch.readyTimeout = options.readyTimeout
        let rebuilder = options.rebuild ? Rebuilder(workingDirectory: options.workingDirectory, logCapture: logs) : nil
        let controller = DeploymentController(
            configuration: .init(launch: launch, rolloutWait: options.rolloutWait, rebuilder: rebuilder,
                                 plan: options.rolloutPlan, thresholds: options.thresholds),
            stats: stats, logger: Logger(label: "deploy"))
        do {
            try await controller.deploy()
        } catch {
            await controller.shutdown()
            try? accounts.close()
            throw ExitMessage(code: 1, "the first data proxy did not start: \(error)")
        }
        let notes = frontEndNotes(controller)
        let placement = ReshardingWorker(notes: notes, accounts: accounts,
                                        initial: try await ReshardingWorker.read(notes: notes, accounts: accounts),
                                        logger: Logger(label: "placement"),
                                        pacer: MovePacer(batchCap: options.moveBatch),
                                        recentP99: { [controller] in controller.recentLatencies.p99() })
        let actions = NotelyActions(accounts: accounts, notes: notes, controller: controller, placement: placement)
        return NotelyService(options: options, stats: stats, logs: logs, controller: controller, accounts: accounts,
                             actions: actions, lock: lock, logger: logger)
    }

    /// Serves until a graceful shutdown, then stops everything in order.
    func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let rest = RESTAPI(actions: actions, stats: stats, snapshot: { self.snapshot() },
                           listeningPort: { [restAddress] in restAddress.value.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } })
        let address = restAddress
        let logger = logger
        let app = Application(
            router: rest.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "notely"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                address.fulfill("127.0.0.1:\(port)")
                logger.info("REST API listening on http://127.0.0.1:\(port)")
            },
            logger: Logger(label: "rest")
        )
        // Started in this order, stopped in the reverse one. Any service that ends starts the
        // same graceful shutdown as a signal.
        var services: [any Service] = [ControllerService(controller: controller), placement, app]
        if let postgresMonitor { services.append(postgresMonitor) }
        if let loadGenerator { services.append(loadGenerator) }
        let group = ServiceGroup(configuration: .init(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: signals, logger: logger))
        let requestedEarly = self.group.withLock { state in
            state.running = group
            return state.shutdownRequested
        }
        if requestedEarly { await group.triggerGracefulShutdown() }
        defer { try? accounts.close() }
        do {
            try await group.run()
        } catch {
            await controller.shutdown()
            if options.port != 0, (error as? IOError)?.isAddressInUse == true {
                throw ExitMessage(code: 1, "port \(options.port) is in use; pick another with --port, or --port 0 for a free one")
            }
            throw error
        }
        logger.info("notely stopped")
    }

    /// Starts the ordered shutdown, as SIGTERM would (the dashboard's `q`); callable from any
    /// thread, also before `run` has started the group.
    func requestShutdown() {
        let running = group.withLock { state in
            state.shutdownRequested = true
            return state.running
        }
        if let running { Task { await running.triggerGracefulShutdown() } }
    }

    func snapshot() -> ServiceSnapshot {
        var placement = placement.view
        placement.postgres = postgresMonitor?.state
        return ServiceSnapshot(
            deployment: controller.snapshot(),
            proxies: Dictionary(uniqueKeysWithValues: stats.collectProxyStats().map { (String($0.key), $0.value) }),
            shards: stats.collectShardStats(),
            load: loadGenerator?.snapshot() ?? .idle,
            api: stats.collectRouteStats(),
            proxyTries: ServiceSnapshot.ProxyTries(stats.collectProxyTries()),
            placement: placement,
            service: .init(restAddress: restAddress.value, uptimeSeconds: Int((ContinuousClock.now - startedAt).components.seconds),
                           shardCount: placement.placement.activeShards.count))
    }
}

/// Runs the controller's background work while the service runs; stops the proxies last.
private struct ControllerService: Service {
    let controller: DeploymentController

    func run() async throws {
        controller.startBackgroundWork()
        try? await gracefulShutdown()
        await controller.shutdown()
    }
}
