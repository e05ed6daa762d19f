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
