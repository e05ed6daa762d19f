import Foundation
import Testing
import TestSupport
@testable import App

/// The bench's JSON is read by scripts: its keys are the ones the benchmark issue names.
@Suite struct BenchFiguresTests {
    @Test func jsonHasTheContractKeys() throws {
        let direct = BenchFigures.Throughput(opsPerSec: 5000, p50Us: 10, p99Us: 90, failures: 0, benchCpuUsPerOp: 20, proxyCpuUsPerOp: nil)
        let run = BenchFigures.Throughput(opsPerSec: 1000, p50Us: 100, p99Us: 900, failures: 0, benchCpuUsPerOp: 70, proxyCpuUsPerOp: 60)
        let single = BenchFigures.Throughput(opsPerSec: 400, p50Us: 60, p99Us: 300, failures: 0, benchCpuUsPerOp: 90, proxyCpuUsPerOp: 80)
        let figures = BenchFigures(direct: direct, rpcFloor: run, proxied: run,
                                   sweep: [.init(clients: 1, rpcFloor: single, proxied: single), .init(clients: 8, rpcFloor: run, proxied: run)],
                                   engines: [.init(engine: "sqlite", direct: direct, proxied: run), .init(engine: "postgres", direct: single, proxied: single)],
                                   rollout: .init(deploys: 3, readyMsMedian: 40, readyMsMax: 60, requests: 500, failures: 0,
                                                  p99UsSteady: 900, p99UsDuringRollout: 1200),
                                   faults: [.init(fault: "kill", requests: 900, failures: 0, longestGapMs: 310, replacedAfterMs: 60)],
                                   reshard: .init(from: 2, to: 3, accounts: 28, notes: 2080, accountsMoved: 13, steps: 40, seconds: 2.5, requests: 4000,
                                                  failures: 0, p99UsSteady: 900, p99UsDuringReshard: 1500,
                                                  longestMsSteady: 12, longestMsDuringReshard: 40, notesPerShard: [690, 700, 690]),
                                   proxyRssMB: 20, proxyPrivateMB: 4, proxyUssMB: 5, proxyPssMB: 9, clients: 8, secondsPerRun: 5,
                                   build: "release", durability: "normal")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(figures)) as? [String: Any])
        #expect(figures.table.contains("13 accounts in 40 steps, 2.5 s; notes per shard after 690 / 700 / 690"), "\(figures.table)")
        #expect(figures.table.contains("reshard: 2 → 3 shards during a rollout under load"), "\(figures.table)")
        #expect(figures.table.contains("longest steady / reshard 12 ms / 40 ms"), "\(figures.table)")
        #expect(figures.table.contains("p99 steady / reshard    900 µs / 1500 µs = 1.67×"), "\(figures.table)")
        for key in ["direct", "rpcFloor", "proxied", "sweep", "rollout", "faults", "reshard", "proxyRssMB", "proxyUssMB", "proxyPssMB", "durability"] {
            #expect(json[key] != nil, "\(key)")
        }
        #expect(figures.table.contains("  postgres                             400     300             400     300"), "\(figures.table)")
        #expect((json["engines"] as? [[String: Any]])?.map { $0["engine"] as? String } == ["sqlite", "postgres"])
        #expect(figures.table.contains("kill     900 requests, 0 failed, longest gap 310 ms, replaced after 60 ms"), "\(figures.table)")
        for key in ["direct", "rpcFloor", "proxied"] {
            let run = try #require(json[key] as? [String: Any])
            #expect(Set(["opsPerSec", "p50Us", "p99Us", "benchCpuUsPerOp"]).isSubset(of: Set(run.keys)))
            #expect((run["proxyCpuUsPerOp"] == nil) == (key == "direct"), "\(key)")
        }
        let rollout = try #require(json["rollout"] as? [String: Any])
        #expect(Set(["deploys", "readyMsMedian", "readyMsMax", "requests", "failures", "p99UsSteady", "p99UsDuringRollout"])
            .isSubset(of: Set(rollout.keys)))
        #expect(figures.table.contains("  rpcFloor   1 client         400         300        90 + 80\n  rpcFloor   8 clients       1000         900        70 + 60\n"
                                       + "  proxied    1 client         400         300        90 + 80\n"), "\(figures.table)")
        #expect(!figures.table.contains("proxied / rpcFloor"), "the 0.8 ratio is retired (issue 15)")
        #expect(figures.table.contains("direct            5000         10         90         0        20         -"))
        #expect(figures.table.contains("proxied           1000        100        900         0        70        60"))
    }

    @Test func aQuickBenchRunsEndToEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notely-bench-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("figures.json")
        let (status, text) = try await runProcess(try notelyExecutable(),
                                                        ["bench", "--quick", "--clients", "2,1", "--seconds", "1", "--deploys", "1", "--reshard-notes", "3", "--migrate-notes", "500",
                                             "--engine", "sqlite,postgres", "--postgres", try TestPostgres.url(), "--json", output.path],
                                                        currentDirectory: directory)
        #expect(status == 0, "\(text)")
        #expect(text.contains("clients sweep"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        #expect((json["rollout"] as? [String: Any])?["failures"] as? Int == 0)
        let faults = try #require(json["faults"] as? [[String: Any]])
        #expect(faults.map { $0["fault"] as? String } == ["kill", "hang"])
        #expect(faults.allSatisfy { $0["failures"] as? Int == 0 }, "\(faults)")
        let reshard = try #require(json["reshard"] as? [String: Any])
        #expect(reshard["failures"] as? Int == 0 && (reshard["notesPerShard"] as? [Int])?.count == 3, "\(reshard)")
        let migrate = try #require(json["migrate"] as? [String: Any])
        let legs = try #require(migrate["legs"] as? [[String: Any]])
        #expect(legs.map { $0["to"] as? String } == ["postgres", "sqlite"] && legs.allSatisfy { $0["failures"] as? Int == 0 }, "\(migrate)")
        #expect(migrate["recopied"] as? Int == 0 && migrate["verified"] as? Int ?? 0 >= 2, "\(migrate)")
        let sweep = try #require(json["sweep"] as? [[String: Any]])
        #expect(sweep.map { $0["clients"] as? Int } == [1, 2], "\(sweep)")
        let proxied = try #require(json["proxied"] as? [String: Any])
        #expect(proxied["opsPerSec"] as? Double ?? 0 > 0)
        #expect(proxied["benchCpuUsPerOp"] as? Double ?? 0 > 0)
        #expect(proxied["proxyCpuUsPerOp"] as? Double ?? 0 > 0)
        let engines = try #require(json["engines"] as? [[String: Any]])
        #expect(engines.map { $0["engine"] as? String } == ["sqlite", "postgres"])
        #expect(engines.allSatisfy { (($0["proxied"] as? [String: Any])?["failures"] as? Int) == 0 }, "\(engines)")
    }
}
