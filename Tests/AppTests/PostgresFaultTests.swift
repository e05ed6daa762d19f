import Foundation
import Testing
import TestSupport
@testable import Proxy

/// The faults of the design's contract on PostgreSQL shards, as a user causes them: a real
/// `notely --headless` on `--engine postgres`, independent REST clients doing
/// read-your-writes (`FaultTests.underLoad`), and a proxy killed, a rollout, or the server
/// itself restarted. Each must cost no request.
@Suite struct PostgresFaultTests {
    @Test func aKilledServingProxyAndARolloutOnPostgresShardsCostNoRequest() async throws {
        try await FaultTests().underLoad(["--engine", "postgres", "--postgres", try TestPostgres.url(), "--rollout-wait", "1"]) { notely, _ in
            let stats = try await notely.request(.GET, "/stats").json
            #expect(stats["placement"]["engines"] as? [String: String] == ["shard-0": "postgres", "shard-1": "postgres"])
            #expect(stats["placement"]["postgres"]["up"] as? Bool == true)
            let victim = try await notely.currentProxyPid()
            kill(victim, SIGKILL)
            #expect(await eventually { (try? await notely.currentProxyPid()).map { $0 != victim } == true })
            // Two versions on one server: the new one serves beside the old, then alone.
            #expect(try await notely.request(.POST, "/deploy").status == 202)
            #expect(await eventually(timeout: .seconds(60)) {
                let deployment = (try? await notely.request(.GET, "/stats").json)?["deployment"]
                return deployment["status"] as? String == "READY" && deployment["targetVersion"] is NSNull && deployment["deploys"] as? Int == 2
            })
        }
    }

    /// Two proxy versions on one server (a deploy held in ROLLOUT_WAIT) while the shards grow
    /// 2 → 3 on PostgreSQL, whose moves cross (0 → 1 and 1 → 0 are among them).
    @Test func aGrowthDuringARolloutOnPostgresShardsCostsNoRequest() async throws {
        try await FaultTests().underLoad(["--engine", "postgres", "--postgres", try TestPostgres.url(), "--rollout-wait", "600"]) { notely, _ in
            #expect(try await notely.request(.POST, "/deploy").status == 202)
            #expect(await eventually(timeout: .seconds(60)) {
                (try? await notely.request(.GET, "/stats").json)?["deployment"]["status"] as? String == "ROLLOUT_WAIT"
            })
            let grown = try await notely.request(.POST, "/shards", body: #"{"count":3}"#)
            #expect(grown.status == 202, "\(grown.text)")
            #expect(await eventually(timeout: .seconds(120)) {
                let placement = (try? await notely.request(.GET, "/stats").json)?["placement"]
                return placement["shardCount"] as? Int == 3 && placement["resharding"] is NSNull
            })
            let stats = try await notely.request(.GET, "/stats").json
            #expect(stats["placement"]["engines"]["shard-2"] as? String == "postgres")
            #expect(stats["deployment"]["status"] as? String == "ROLLOUT_WAIT", "both versions served the whole growth")
        }
    }

    /// A server down past the calls' deadline: 503s that name it, and serving resumes by
    /// itself once it is back (same URL), with nothing acknowledged lost.
    @Test func aServerDownPastTheDeadlineGives503sNamingItAndServingResumes() async throws {
        let cluster = try PrivatePostgresCluster()
        let directory = TemporaryDirectory("notely-pg-down")
        let notely = try await HeadlessProcess(arguments: ["--no-load", "--engine", "postgres", "--postgres", cluster.url], in: directory)
        let account = try #require(try await notely.request(.POST, "/accounts", body: #"{"name":"Ada"}"#).json["id"] as? String)
        let kept = try await notely.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"before"}"#)
        #expect(kept.status == 201, "\(kept.text)")
        cluster.stop()
        let down = try await notely.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"while down"}"#)
        #expect(down.status == 503, "\(down.text)")
        #expect(down.text.contains("PostgreSQL at 127.0.0.1"), "the 503 names the server: \(down.text)")
        #expect(await eventually { (try? await notely.request(.GET, "/stats").json)?["placement"]["postgres"]["up"] as? Bool == false })
        try cluster.start()
        #expect(await eventually {
            (try? await notely.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"after"}"#).status) == 201
        })
        let notes = try await notely.request(.GET, "/accounts/\(account)/notes").json as? [[String: Any]] ?? []
        #expect(notes.contains { $0["content"] as? String == "before" } && notes.contains { $0["content"] as? String == "after" })
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0, "\(notely.log)")
        cluster.stop()
    }

    /// A server that refuses at start: one clear line naming it, exit 2, never a hang.
    @Test func aServerThatRefusesAtStartIsExit2NamingIt() async throws {
        let cluster = try PrivatePostgresCluster()
        cluster.stop()
        let directory = TemporaryDirectory("notely-pg-refused")
        let (status, output) = try await runProcess(try notelyExecutable(),
                                              ["--headless", "--no-load", "--port", "0", "--data-dir", directory.path + "/data",
                                               "--engine", "postgres", "--postgres", cluster.url])
        #expect(status == 2, "\(output)")
        #expect(output.contains("cannot use the data dir's PostgreSQL shards") && output.contains("PostgreSQL at 127.0.0.1"), "\(output)")
    }

    @Test func aFastRestartOfThePostgresServerUnderLoadCostsNoRequest() async throws {
        let cluster = try PrivatePostgresCluster()
        try await FaultTests().underLoad(["--engine", "postgres", "--postgres", cluster.url]) { notely, load in
            let before = load.successes
            try cluster.restart()
            #expect(await eventually(timeout: .seconds(20)) { load.successes > before + 50 }, "traffic did not go on")
            #expect(await eventually {
                (try? await notely.request(.GET, "/stats").json["placement"]["postgres"]["up"] as? Bool) == true
            })
        }
        cluster.stop()
    }
}
