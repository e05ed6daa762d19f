import Foundation
import Logging
import Proxy
import Store
import Telemetry

/// The measurements of `notely bench`, each beside the others in one run, because on shared
/// machines only ratios within a run mean much.
struct Benchmarks {
    let clients: Int
    let duration: Duration
    let deploys: Int
    let rolloutWait: Duration
    let directory: URL
    let logger: Logger

    func run(progress: (String) -> Void) async throws -> BenchFigures {
        progress("direct: the sharded SQLite store in-process")
        let direct = try await measureDirect()
        progress("rpcFloor: Ready through ProxyClient to a proxy child")
        let proxy = try await DataProxyProcess.launch(id: 1, configuration: launchConfiguration(), logger: logger)
        let rpcFloor = try await measureThroughput(clients: clients, duration: duration, proxyPid: proxy.pid, makeClient: { _ in proxy.client },
                                                   step: { client, _ in _ = try await client.ready() })
        progress("proxied: the op mix through ProxyClient, the proxy child and SQLite")
        let proxied = try await measureStore(proxy.client, proxyPid: proxy.pid)
        let rss = Self.megabytes("VmRSS", pid: proxy.pid)
        let privateMemory = Self.megabytes("RssAnon", pid: proxy.pid)
        await proxy.shutdown(logger: logger)
        progress("rollout: \(deploys) deploys under steady load")
        let rollout = try await measureRollouts()
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return BenchFigures(direct: direct, rpcFloor: rpcFloor, proxied: proxied, rollout: rollout, proxyRssMB: rss,
                            proxyPrivateMB: privateMemory,
                            clients: clients, secondsPerRun: Double(duration.components.seconds), build: build)
    }

    private func launchConfiguration() -> ProxyLaunchConfiguration {
        ProxyLaunchConfiguration(dataDirectory: directory.appendingPathComponent("proxied").path, shards: 2,
                                 workingDirectory: directory, logCapture: LogCapture())
    }

    private func measureDirect() async throws -> BenchFigures.Throughput {
        let store = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.appendingPathComponent("direct").path), shardCount: 2)
        defer { try? store.close() }
        return try await measureStore(store)
    }

    private func measureStore(_ store: any NoteStore, proxyPid: Int32? = nil) async throws -> BenchFigures.Throughput {
        try await measureThroughput(clients: clients, duration: duration, proxyPid: proxyPid, makeClient: { _ in
            var workload = NoteWorkload(store: store)
            try await workload.seed(10)
            return workload
        }, step: { workload, random in try await workload.step(using: &random) })
    }

    /// Steady load through the controller; first a steady window, then `deploys` rollouts
    /// back to back. Latencies are kept apart by phase.
    private func measureRollouts() async throws -> BenchFigures.Rollout {
        let stats = StatsCollector()
        var launch = launchConfiguration()
        launch.dataDirectory = directory.appendingPathComponent("rollout").path
        let controller = DeploymentController(configuration: .init(launch: launch, rolloutWait: rolloutWait), stats: stats, logger: logger)
        try await controller.deploy()
        controller.startBackgroundWork()
        let recorder = LatencyRecorder()
        recorder.setPhase("warmup")
        let load = Task {
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
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: .seconds(1))
        recorder.setPhase("steady")
        try await Task.sleep(for: duration)
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

    /// A memory figure of a process from /proc/PID/status (VmRSS: all resident pages, shared
    /// code included; RssAnon: its private heap and stacks), in MB; 0 where /proc is not there.
    static func megabytes(_ field: String, pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kilobytes / 1024
    }
}
