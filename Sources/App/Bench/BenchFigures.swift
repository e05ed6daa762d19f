import Foundation

/// What `notely bench` measures; the JSON keys are the ones the benchmark issue names.
struct BenchFigures: Codable, Sendable {
    struct Throughput: Codable, Sendable {
        var opsPerSec: Double
        var p50Us: Double
        var p99Us: Double
        var failures: Int
        /// CPU per operation in the bench process (the clients, and for `direct` the store).
        var benchCpuUsPerOp: Double
        /// CPU per operation in the proxy child; nil for `direct`, which has none.
        var proxyCpuUsPerOp: Double?
    }

    struct Rollout: Codable, Sendable {
        var deploys: Int
        var readyMsMedian: Double
        var readyMsMax: Double
        var requests: Int
        var failures: Int
        var p99UsSteady: Double
        var p99UsDuringRollout: Double
    }

    /// A fault injected into the serving proxy under steady load.
    struct FaultRun: Codable, Sendable {
        var fault: String
        var requests: Int
        var failures: Int
        /// The longest stretch without a successful answer, from the fault to 3 s after the replacement.
        var longestGapMs: Double
        /// From the fault to a replacement serving.
        var replacedAfterMs: Double
    }

    /// The shard count grown 2 → 3 under steady load while both versions of a rollout serve:
    /// its moves cross (0 → 1 and 1 → 0), the case a lock order exists for.
    struct Reshard: Codable, Sendable {
        var from: Int
        var to: Int
        /// Accounts with notes: the seeded ones and the load's own.
        var accounts: Int
        var notes: Int
        var accountsMoved: Int
        var steps: Int
        var seconds: Double
        var requests: Int
        var failures: Int
        var p99UsSteady: Double
        var p99UsDuringReshard: Double
        var longestMsSteady: Double
        var longestMsDuringReshard: Double
        var notesPerShard: [Int]
    }

    /// `rpcFloor` and `proxied` at one count of concurrent clients.
    /// `direct` and `proxied` (the op mix at `clients`) with the shards on one engine.
    struct EngineRun: Codable, Sendable {
        var engine: String
        var direct: Throughput
        var proxied: Throughput
    }

    struct SweepPoint: Codable, Sendable {
        var clients: Int
        var rpcFloor: Throughput
        var proxied: Throughput
    }

    var direct: Throughput
    /// At `clients`; `sweep` has them at every count asked for.
    var rpcFloor: Throughput
    var proxied: Throughput
    /// By count of clients, fewest first: how the transport's throughput and cost change with
    /// the concurrency.
    var sweep: [SweepPoint]
    /// `direct` and `proxied` per engine asked for (`--engine`), SQLite first.
    var engines: [EngineRun]
    var rollout: Rollout
    var faults: [FaultRun]
    var reshard: Reshard
    /// The live migration, when the run had a PostgreSQL server.
    var migrate: Migrate?
    /// What recording a call's metrics costs, and a scrape.
    var metrics: MetricsCost?

    struct MetricsCost: Codable, Sendable {
        /// One REST request and one proxy try recorded: counters and latency histograms.
        var nanosecondsPerCall: Double
        var scrapeMs: Double
        /// Samples (lines) the scrape wrote.
        var series: Int
    }
    var proxyRssMB: Double
    /// The part of the resident memory that is the proxy's own (heap, stacks); the rest is
    /// shared code (the notely binary, the Swift runtime, Foundation) mapped by every process.
    var proxyPrivateMB: Double
    /// Unique set size: Private_Clean + Private_Dirty.
    var proxyUssMB: Double
    /// Proportional set size.
    var proxyPssMB: Double
    var clients: Int
    var secondsPerRun: Double
    var build: String
    /// The `--durability` the shards ran with.
    var durability: String

    /// The table printed at the end of a run.
    var table: String {
        func row(_ name: String, _ figures: Throughput) -> String {
            let proxyCPU = figures.proxyCpuUsPerOp.map { String(format: "%9.0f", $0) } ?? String(repeating: " ", count: 8) + "-"
            return name.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%12.0f %10.0f %10.0f %9d %9.0f", figures.opsPerSec, figures.p50Us, figures.p99Us, figures.failures,
                         figures.benchCpuUsPerOp)
                + " " + proxyCPU
        }
        let p99Ratio = rollout.p99UsSteady > 0 ? rollout.p99UsDuringRollout / rollout.p99UsSteady : 0
        let reshardRatio = reshard.p99UsSteady > 0 ? reshard.p99UsDuringReshard / reshard.p99UsSteady : 0
        return """
            Notely bench — \(build) build, \(clients) concurrent clients, \(String(format: "%.0f", secondsPerRun)) s per run, durability \(durability)
                                                          CPU µs per op
            run              ops/s     p50 µs     p99 µs  failures     bench     proxy
            \(row("direct", direct))
            \(row("rpcFloor", rpcFloor))
            \(row("proxied", proxied))
            \(sweepTable)
            \(engineTable)
            rollout: \(rollout.deploys) deploys under load
              ready after launch      median \(String(format: "%.0f", rollout.readyMsMedian)) ms, max \(String(format: "%.0f", rollout.readyMsMax)) ms   (target: median ≤ 150 ms)
              requests / failures     \(rollout.requests) / \(rollout.failures)   (target: 0 failures)
              p99 steady / rollout    \(String(format: "%.0f", rollout.p99UsSteady)) µs / \(String(format: "%.0f", rollout.p99UsDuringRollout)) µs = \(String(format: "%.2f", p99Ratio))×   (target ≤ 2×)
            faults under load (target: 0 failures, no gap over 2 s)
            \(faults.map(\.row).joined(separator: "\n"))
            reshard: \(reshard.from) → \(reshard.to) shards during a rollout under load, \(reshard.accounts) accounts, \(reshard.notes) notes
              moved                   \(reshard.accountsMoved) accounts in \(reshard.steps) steps, \(String(format: "%.1f", reshard.seconds)) s; notes per shard after \(reshard.notesPerShard.map(String.init).joined(separator: " / "))
              requests / failures     \(reshard.requests) / \(reshard.failures)   (target: 0 failures)
              p99 steady / reshard    \(String(format: "%.0f", reshard.p99UsSteady)) µs / \(String(format: "%.0f", reshard.p99UsDuringReshard)) µs = \(String(format: "%.2f", reshardRatio))×   (target ≤ 2×)
              longest steady / reshard \(String(format: "%.0f", reshard.longestMsSteady)) ms / \(String(format: "%.0f", reshard.longestMsDuringReshard)) ms   (target: none over 2 s)
            \(migrate.map { $0.table + "\n" } ?? "")\(metrics.map { "metrics                   \(String(format: "%.2f", $0.nanosecondsPerCall / 1000)) µs to record a REST request and a proxy try; a scrape of \($0.series) samples \(String(format: "%.1f", $0.scrapeMs)) ms\n" } ?? "")proxy memory              RSS \(String(format: "%.1f", proxyRssMB)) MB, PSS \(String(format: "%.1f", proxyPssMB)) MB, USS \(String(format: "%.1f", proxyUssMB)) MB   (target: USS ≤ 8 MB)
            """
    }
}

extension BenchFigures {
    /// Each run at each count; CPU is per operation, this process + the proxy.
    var sweepTable: String {
        func row(_ name: String, _ clients: Int, _ run: Throughput) -> String {
            "  " + name.padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(format: "%3d %@%11.0f %11.0f %9.0f + %.0f", clients, clients == 1 ? "client " : "clients", run.opsPerSec, run.p99Us,
                         run.benchCpuUsPerOp, run.proxyCpuUsPerOp ?? 0)
        }
        return (["clients sweep               ops/s     p99 µs   CPU µs bench + proxy"]
            + sweep.map { row("rpcFloor", $0.clients, $0.rpcFloor) } + sweep.map { row("proxied", $0.clients, $0.proxied) })
            .joined(separator: "\n")
    }
}

extension BenchFigures {
    /// The op mix on each engine: in process, and through a proxy child.
    var engineTable: String {
        (["engines, op mix at \(clients) clients   direct ops/s  p99 µs   proxied ops/s  p99 µs"]
            + engines.map { run in
                "  " + run.engine.padding(toLength: 27, withPad: " ", startingAt: 0)
                    + String(format: "%13.0f %7.0f %15.0f %7.0f", run.direct.opsPerSec, run.direct.p99Us, run.proxied.opsPerSec, run.proxied.p99Us)
            }).joined(separator: "\n")
    }
}

extension BenchFigures.FaultRun {
    var row: String {
        "  " + fault.padding(toLength: 6, withPad: " ", startingAt: 0)
            + String(format: "%6d requests, %d failed, longest gap %.0f ms, replaced after %.0f ms", requests, failures, longestGapMs, replacedAfterMs)
    }
}
