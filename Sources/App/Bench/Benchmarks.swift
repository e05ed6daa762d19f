import Foundation
import Logging
import Proxy
import Store
import Telemetry

/// The measurements of `notely bench`, each beside the others in one run, because on shared
/// machines only ratios within a run mean much.
struct Benchmarks {
    /// The steady load: `direct`, and the clients of the rollout, fault and reshard runs.
    let clients: Int
    /// The counts `rpcFloor` and `proxied` run at (`clients` among them).
    let sweep: [Int]
    let duration: Duration
    let deploys: Int
    let rolloutWait: Duration
    let durability: Durability
    /// The data the `reshard` run grows 2 → 3 shards under load: accounts, and notes each.
    let reshardAccounts: Int
    let reshardNotesPerAccount: Int
    /// The notes of the data dir the `migrate` run moves to PostgreSQL and back (it runs when a
    /// server is given).
    var migrateNotes = 100_000
    /// Engines `direct` and `proxied` run on besides (SQLite's are the main runs).
    var engines: [ShardEngine] = [.sqlite]
    /// The server of the `postgres` runs.
    var postgresURL: String?
    let directory: URL
    let logger: Logger

    func run(progress: (String) -> Void) async throws -> BenchFigures {
        progress("direct: the sharded SQLite store in-process")
        let direct = try await measureDirect()
        let counts = sweep.map(String.init).joined(separator: ", ")
        progress("rpcFloor: Ready through ProxyClient to a proxy child, at \(counts) clients")
        let proxy = try await DataProxyProcess.launch(id: 1, configuration: launchConfiguration(), logger: logger)
        var floors: [Int: BenchFigures.Throughput] = [:]
        for count in sweep {
            floors[count] = try await measureThroughput(clients: count, duration: duration, proxyPid: proxy.pid,
                                                        makeClient: { _ in proxy.client }, step: { client, _ in _ = try await client.ready() })
        }
        progress("proxied: the op mix through ProxyClient, the proxy child and SQLite, at \(counts) clients")
        var mixes: [Int: BenchFigures.Throughput] = [:]
        for count in sweep { mixes[count] = try await measureStore(proxy.client, clients: count, proxyPid: proxy.pid) }
        let points = sweep.map { BenchFigures.SweepPoint(clients: $0, rpcFloor: floors[$0]!, proxied: mixes[$0]!) }
        let memory = ProxyMemory(pid: proxy.pid)
        await proxy.shutdown(logger: logger)
        var engineRuns = [BenchFigures.EngineRun(engine: ShardEngine.sqlite.rawValue, direct: direct, proxied: mixes[clients]!)]
        for engine in engines where engine != .sqlite {
            progress("\(engine.rawValue): direct and proxied, the op mix at \(clients) clients")
            engineRuns.append(try await measureEngine(engine))
        }
        progress("rollout: \(deploys) deploys under steady load")
        let rollout = try await measureRollouts()
        progress("faults: kill and hang of the serving proxy under steady load")
        let faults = try await measureFaults()
        progress("reshard: \(reshardAccounts) accounts × \(reshardNotesPerAccount) notes grown 2 → 3 shards during a rollout under steady load")
        let reshard = try await measureReshard()
        progress("metrics: the cost of recording a call's metrics, and of a scrape")
        let metrics = Self.measureMetricsCost()
        var migrate: BenchFigures.Migrate?
        if postgresURL != nil {
            progress("migrate: \(migrateNotes) notes moved SQLite → PostgreSQL → SQLite under steady load")
            migrate = try await measureMigrate()
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return BenchFigures(direct: direct, rpcFloor: floors[clients]!, proxied: mixes[clients]!, sweep: points,
                            engines: engineRuns, rollout: rollout, faults: faults, reshard: reshard, migrate: migrate, metrics: metrics,
                            proxyRssMB: memory.rss, proxyPrivateMB: memory.anonymous, proxyUssMB: memory.uss, proxyPssMB: memory.pss,
                            clients: clients, secondsPerRun: Double(duration.components.seconds), build: build,
                            durability: durability.rawValue)
    }

    private func launchConfiguration(dataDirectory: String = "proxied") -> ProxyLaunchConfiguration {
        ProxyLaunchConfiguration(dataDirectory: directory.appendingPathComponent(dataDirectory).path, durability: durability,
                                 postgresURL: postgresURL, workingDirectory: directory, logCapture: LogCapture())
    }

    private func measureDirect(engine: ShardEngine = .sqlite) async throws -> BenchFigures.Throughput {
        let store = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.appendingPathComponent("direct-\(engine.rawValue)").path),
                                         shardCount: 2, engineIfNew: engine, postgres: try postgresURL.map(PostgresSettings.init(url:)),
                                         durability: durability)
        defer { try? store.close() }
        return try await measureStore(store)
    }

    /// `direct` and `proxied` (at `clients`) with the shards on `engine`: a data dir made on it,
    /// and a proxy child on that data dir.
    private func measureEngine(_ engine: ShardEngine) async throws -> BenchFigures.EngineRun {
        let direct = try await measureDirect(engine: engine)
        let name = "proxied-\(engine.rawValue)"
        try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.appendingPathComponent(name).path), shardCountIfNew: 2,
                             engineIfNew: engine, postgres: try postgresURL.map(PostgresSettings.init(url:)), durability: durability).close()
        let proxy = try await DataProxyProcess.launch(id: 1, configuration: launchConfiguration(dataDirectory: name), logger: logger)
        let proxied = try await measureStore(proxy.client, clients: clients, proxyPid: proxy.pid)
        await proxy.shutdown(logger: logger)
        return BenchFigures.EngineRun(engine: engine.rawValue, direct: direct, proxied: proxied)
    }

    private func measureStore(_ store: any NoteStore, clients: Int? = nil, proxyPid: Int32? = nil) async throws -> BenchFigures.Throughput {
        try await measureThroughput(clients: clients ?? self.clients, duration: duration, proxyPid: proxyPid, makeClient: { _ in
            var workload = NoteWorkload(store: store)
            try await workload.seed(10)
            return workload
        }, step: { workload, random in try await workload.step(using: &random) })
    }

    /// Steady load through the controller; first a steady window, then `deploys` rollouts
    /// back to back. Latencies are kept apart by phase.
    private func measureRollouts() async throws -> BenchFigures.Rollout {
        let controller = try await startController("rollout")
        let (recorder, load) = try await steadyWindow(through: controller)
        recorder.setPhase("rollout")
        var readyMs: [Double] = []
        for _ in 0..<deploys {
            try await controller.deploy()
            readyMs.append((controller.current()?.secondsToReady ?? 0) * 1000)
        }
        recorder.setPhase("after")
        load.cancel()
        await load.value
        await controller.shutdown()
        readyMs.sort()
        return BenchFigures.Rollout(
            deploys: deploys, readyMsMedian: readyMs.isEmpty ? 0 : readyMs[readyMs.count / 2], readyMsMax: readyMs.last ?? 0,
            requests: recorder.count("rollout"), failures: recorder.failures("rollout"),
            p99UsSteady: recorder.percentile("steady", 99), p99UsDuringRollout: recorder.percentile("rollout", 99))
    }

    /// Under the same steady load: the serving proxy killed, then hung, each followed by a few
    /// seconds of traffic. Polls for the replacement: this is a measurement, not a test.
    private func measureFaults() async throws -> [BenchFigures.FaultRun] {
        let controller = try await startController("faults")
        let recorder = LatencyRecorder()
        let load = steadyLoad(through: controller, recorder: recorder)
        try await Task.sleep(for: .seconds(1))
        var runs: [BenchFigures.FaultRun] = []
        for fault in [Fault.kill, .hang] {   // the faults a process survives by being replaced
            recorder.setPhase(fault.rawValue)
            let restarts = controller.snapshot().restarts
            let injected = ContinuousClock.now
            try await controller.inject(fault)
            while controller.snapshot().restarts == restarts, ContinuousClock.now - injected < .seconds(30) {
                try await Task.sleep(for: .milliseconds(5))
            }
            let replacedMs = (ContinuousClock.now - injected).seconds * 1000
            try await Task.sleep(for: .seconds(3))
            runs.append(.init(fault: fault.rawValue, requests: recorder.count(fault.rawValue), failures: recorder.failures(fault.rawValue),
                              longestGapMs: recorder.longestGap(fault.rawValue).seconds * 1000, replacedAfterMs: replacedMs))
        }
        recorder.setPhase("after")
        load.cancel()
        await load.value
        await controller.shutdown()
        return runs
    }

    /// Seeds the data, then under steady load: a steady window, a deploy held in ROLLOUT_WAIT
    /// (both versions serve), and the growth 2 → 3 — whose moves cross — carried out step by
    /// step as the service's `ReshardingWorker` does (same pause between steps).
    private func measureReshard() async throws -> BenchFigures.Reshard {
        let controller = try await startController("reshard", rolloutWait: .seconds(3600))
        let perAccount = reshardNotesPerAccount
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<reshardAccounts {
                group.addTask {
                    let account = UUID()
                    for index in 0..<perAccount {
                        try await controller.createNote(accountId: account, note: Note(creator: account, createdAt: Note.now(),
                                                                                        updatedAt: Note.now(), content: "seed \(index)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let (recorder, load) = try await steadyWindow(through: controller)
        recorder.setPhase("rollout")
        let version = try controller.startDeploy()
        while controller.snapshot().status != .rolloutWait || controller.current()?.id != version {
            if let error = controller.snapshot().lastError { throw BenchRunError("the reshard run's deploy failed: \(error)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        recorder.setPhase("reshard")
        let started = ContinuousClock.now
        let (from, to) = try await controller.growShards(to: 3)
        let accountsMoved = try await controller.describePlacement().moves.count
        let steps = try await stepUntilDone(controller)
        let seconds = (ContinuousClock.now - started).seconds
        recorder.setPhase("after")
        let placement = try await controller.describePlacement()
        load.cancel()
        await load.value
        await controller.shutdown()
        return BenchFigures.Reshard(
            from: from, to: to, accounts: reshardAccounts + clients, notes: placement.notesPerShard.reduce(0, +),
            accountsMoved: accountsMoved, steps: steps, seconds: seconds,
            requests: recorder.count("reshard"), failures: recorder.failures("reshard"),
            p99UsSteady: recorder.percentile("steady", 99), p99UsDuringReshard: recorder.percentile("reshard", 99),
            longestMsSteady: recorder.longestCallMs("steady"), longestMsDuringReshard: recorder.longestCallMs("reshard"),
            notesPerShard: placement.notesPerShard)
    }

    /// Takes the queued moves' steps until none is left, paced as the placement worker paces
    /// them (`MovePacer`); answers how many steps it took.
    func stepUntilDone(_ controller: DeploymentController) async throws -> Int {
        var pacer = MovePacer()
        pacer.observeSteady(p99: controller.recentLatencies.p99())
        var steps = 0
        while true {
            let started = ContinuousClock.now
            let placement = try await controller.stepPlacement(batch: pacer.batch)
            steps += 1
            guard placement.hasWork else { return steps }
            pacer.adapt(stepSeconds: placement.stepSeconds ?? (ContinuousClock.now - started).seconds, p99: controller.recentLatencies.p99())
            try await Task.sleep(for: .seconds(pacer.pause))
        }
    }

    func startController(_ name: String, rolloutWait: Duration? = nil) async throws -> DeploymentController {
        var launch = launchConfiguration()
        launch.dataDirectory = directory.appendingPathComponent(name).path
        let controller = DeploymentController(configuration: .init(launch: launch, rolloutWait: rolloutWait ?? self.rolloutWait), stats: StatsCollector(),
                                              logger: logger)
        try await controller.deploy()
        controller.startBackgroundWork()
        return controller
    }

    /// Starts the steady load, warms it up for a second, and records one `duration` of it as
    /// the phase "steady" — what every run that changes something is compared with.
    func steadyWindow(through controller: DeploymentController, paced interval: Duration? = nil) async throws -> (LatencyRecorder, Task<Void, Never>) {
        let recorder = LatencyRecorder()
        let load = steadyLoad(through: controller, recorder: recorder, paced: interval)
        try await Task.sleep(for: .seconds(1))
        recorder.setPhase("steady")
        try await Task.sleep(for: duration)
        return (recorder, load)
    }

    /// `clients` loops of the op mix through the controller, each call recorded in the phase
    /// it began in, until cancelled: back to back, or one call every `interval` a client.
    private func steadyLoad(through controller: DeploymentController, recorder: LatencyRecorder,
                            paced interval: Duration? = nil) -> Task<Void, Never> {
        recorder.setPhase("warmup")
        let clients = clients
        return Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        var workload = NoteWorkload(store: controller)
                        try? await workload.seed(10)
                        var random = SystemRandomNumberGenerator()
                        while !Task.isCancelled {
                            let phase = recorder.currentPhase
                            let begin = ContinuousClock.now
                            var failed = false
                            do { try await workload.step(using: &random) } catch { failed = true }
                            if Task.isCancelled { break }   // stopped mid-call at the end: not a failure
                            recorder.record((ContinuousClock.now - begin).microseconds, phase: phase, failed: failed)
                            if let interval { try? await Task.sleep(until: begin + interval) }
                        }
                    }
                }
            }
        }
    }
}

/// A run of the bench that could not be carried out.
struct BenchRunError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A process's memory, in MB, from /proc (0 where it is not there). RSS counts every resident
/// page, the shared code of the one `notely` binary and the Swift runtime included; USS
/// (Private_Clean + Private_Dirty of smaps_rollup) is what the process alone costs; PSS shares
/// each shared page out among the processes that map it.
struct ProxyMemory {
    var rss = 0.0, anonymous = 0.0, uss = 0.0, pss = 0.0

    init(pid: Int32) {
        func kilobytes(_ file: String, _ field: String) -> Double {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
                  let value = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
            return value
        }
        rss = kilobytes("status", "VmRSS") / 1024
        anonymous = kilobytes("status", "RssAnon") / 1024
        uss = (kilobytes("smaps_rollup", "Private_Clean") + kilobytes("smaps_rollup", "Private_Dirty")) / 1024
        pss = kilobytes("smaps_rollup", "Pss") / 1024
    }
}
