import Foundation
import Testing
import TestSupport
@testable import App
@testable import Proxy

/// The demo's claim, tested: rollouts under the load generator fail nothing and serve no
/// stale read.
@Suite(.serialized) struct RolloutTests {
    @Test func rolloutsUnderLoadFailNothing() async throws {
        let running = try await RunningService(load: .init(accounts: 4, requestsPerMinute: 6000), rolloutWait: .seconds(1))
        let generator = try #require(running.service.loadGenerator)
        #expect(await eventually(timeout: .seconds(60)) { generator.snapshot().requests >= 50 })
        for version in 2...4 {
            let deploy = try await running.request(.POST, "/deploy")
            #expect(deploy.status == 202)
            #expect(deploy.json["targetVersion"] as? Int == version)
            #expect(try await running.request(.POST, "/deploy").status == 409)
            #expect(await eventually(timeout: .seconds(20)) {
                let deployment = running.service.controller.snapshot()
                return deployment.status == .ready && deployment.current?.id == version && deployment.targetVersion == nil
            })
        }
        // Enough traffic through the rollouts to mean something, however busy the machine is.
        #expect(await eventually(timeout: .seconds(60)) { generator.snapshot().requests > 200 })
        let stats = try await running.request(.GET, "/stats")
        #expect(stats.json["deployment"]["previous"] is NSNull)
        for version in ["1", "2", "3", "4"] {
            #expect((stats.json["proxies"][version]["noteReadRequests"]["totalRequests"] as? Int ?? 0) > 0, "v\(version) served no read")
        }
        try await running.stop()
        let load = generator.snapshot()
        #expect(load.failures == 0, "\(load.lastFailure ?? "")")
        #expect(load.consistencyMisses == 0, "\(load.lastMiss ?? "")")
    }
}
