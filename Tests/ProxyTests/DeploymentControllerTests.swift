import Foundation
import Testing
import TestSupport
@testable import Proxy
@testable import Store
@testable import Telemetry

/// Rolling releases with real proxy children and traffic flowing through the controller.
@Suite(.serialized) struct DeploymentControllerTests {
    @Test func beforeTheFirstDeployNothingServes() async throws {
        let harness = try DeploymentHarness()
        #expect(harness.controller.status() == .initial)
        #expect(harness.controller.current() == nil && harness.controller.previous() == nil)
        await #expect(throws: DeployError.noServingProxy) { try await harness.controller.listNotes(accountId: UUID()) }
        await harness.controller.shutdown()   // nil-safe
        await harness.controller.shutdown()   // and idempotent
    }

    @Test func aRolloutUnderTrafficFailsNothingAndRetiresTheOldVersion() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(4))
        let controller = harness.controller
        #expect(try await controller.deploy() == 1)
        #expect(controller.status() == .ready)
        let first = try #require(controller.current())
        controller.startBackgroundWork()
        let traffic = Traffic(store: controller)

        let target = try controller.startDeploy()
        #expect(target == 2)
        #expect(await eventually { controller.status() == .rolloutWait })
        let during = controller.snapshot()
        #expect(during.current?.id == 2 && during.previous?.id == 1)
        #expect(during.rolloutSecondsLeft.map { $0 >= 0 && $0 <= 4 } == true)
        // A version's calls are counted as they are sent, so v1's count can only grow while it
        // is routed to: during ROLLOUT_WAIT, which began before this first reading.
        let callsAtStart = harness.stats.collectProxyStats()
        func total(_ stats: [Int: [String: RequestStats]], _ version: Int) -> Int {
            stats[version]?.values.reduce(0) { $0 + $1.totalRequests } ?? 0
        }
        #expect(await eventually {
            let now = harness.stats.collectProxyStats()
            return total(now, 1) > total(callsAtStart, 1) && total(now, 2) > total(callsAtStart, 2)
        }, "both versions get traffic during ROLLOUT_WAIT")

        #expect(await harness.waitFor(.ready))
        #expect(controller.previous() == nil)
        #expect(controller.current()?.id == 2)
        #expect(await eventually { !processIsAlive(first.pid) }, "v1 still runs after retiring")
        let afterRetiring = traffic.operationCount
        #expect(await eventually { traffic.operationCount > afterRetiring + 20 && traffic.operationCount > 100 },
                "traffic goes on after v1 retired")
        await traffic.stop()
        #expect(traffic.failureList.isEmpty, "\(traffic.failureList.map(\.description))")
        #expect(traffic.mismatchList.isEmpty, "\(traffic.mismatchList)")
        #expect(controller.snapshot().deploys == 2)
        await controller.shutdown()
    }

    @Test func aSecondDeployIsRefusedAtOnce() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(30))
        try await harness.controller.deploy()
        #expect(try harness.controller.startDeploy() == 2)
        #expect(throws: DeployError.alreadyRunning(targetVersion: 2)) { try harness.controller.startDeploy() }
        await #expect(throws: DeployError.self) { try await harness.controller.deploy() }
        await harness.controller.shutdown()
        #expect(throws: DeployError.shuttingDown) { try harness.controller.startDeploy() }
    }

    @Test func aVersionThatNeverBecomesReadyLeavesTheOldOneServing() async throws {
        let scratch = TemporaryDirectory()
        let harness = try DeploymentHarness(executable: try DeploymentHarness.scriptNeverReady(version: 2, in: scratch),
                                            readyTimeout: .seconds(2))
        let controller = harness.controller
        try await controller.deploy()
        let v1 = try #require(controller.current())
        let traffic = Traffic(store: controller)
        await #expect(throws: ProxyLaunchError.self) { try await controller.deploy() }
        #expect(await eventually(timeout: .seconds(60)) { traffic.operationCount > 50 }, "traffic flowed on")
        await traffic.stop()
        #expect(controller.status() == .ready)
        #expect(controller.current()?.pid == v1.pid)
        #expect(controller.previous() == nil)
        #expect(controller.snapshot().lastError?.contains("v2") == true)
        #expect(traffic.failureList.isEmpty, "\(traffic.failureList.map(\.description))")
        #expect(harness.logs.lines().contains { $0.text.contains("deploy v2 failed") })
        await controller.shutdown()
    }

    @Test func aKilledProxyIsReplacedAndNoCallFails() async throws {
        try await underTraffic { harness, victim in
            kill(victim.pid, SIGKILL)
            #expect(await eventually { harness.controller.snapshot().restarts == 1 && harness.controller.current()?.pid != victim.pid })
            #expect(harness.controller.current()?.id == 1)
        }
    }

    @Test func aHungProxyIsKilledAndReplacedAndNoCallFails() async throws {
        try await underTraffic { harness, hung in
            kill(hung.pid, SIGSTOP)
            #expect(await eventually(timeout: .seconds(15)) { harness.controller.snapshot().restarts == 1 },
                    "\(harness.logs.lines().map(\.text).joined(separator: "\n"))")
            #expect(await eventually { !processIsAlive(hung.pid) })
        }
    }

    /// Steady traffic through a controller while `fault` strikes its serving proxy: traffic
    /// must recover, and no call fail or read stale.
    private func underTraffic(_ fault: (DeploymentHarness, DataProxyProcess) async throws -> Void) async throws {
        let harness = try DeploymentHarness()
        let controller = harness.controller
        try await controller.deploy()
        let serving = try #require(controller.current())
        let traffic = Traffic(store: controller)
        #expect(await eventually { traffic.operationCount > 20 })
        try await fault(harness, serving)
        let before = traffic.operationCount
        #expect(await eventually { traffic.operationCount > before + 20 }, "traffic did not recover")
        await traffic.stop()
        #expect(traffic.failureList.isEmpty, "\(traffic.failureList.map(\.description))")
        #expect(traffic.mismatchList.isEmpty, "\(traffic.mismatchList)")
        await controller.shutdown()
    }

    @Test func injectedFaultsNeverAddUpToAGiveUp() async throws {
        let harness = try DeploymentHarness()
        let controller = harness.controller
        try await controller.deploy()
        for round in 1...(CrashHistory.backoff.count + 2) {
            let proxy = try #require(controller.current())
            try await controller.inject(round % 2 == 0 ? .hang : .kill)
            #expect(await eventually(timeout: .seconds(15)) { controller.current().map { $0.pid != proxy.pid } == true }, "round \(round)")
        }
        #expect(controller.snapshot().restarts == CrashHistory.backoff.count + 2)
        #expect(try await controller.listNotes(accountId: UUID()).isEmpty)
        await controller.shutdown()
    }

    @Test func aVersionThatKeepsCrashingIsGivenUpWithAClearError() async throws {
        let harness = try DeploymentHarness()
        let controller = harness.controller
        try await controller.deploy()
        var killed = 0
        while let proxy = controller.current(), killed <= CrashHistory.backoff.count {
            kill(proxy.pid, SIGKILL)
            killed += 1
            // The next process, or none once it was given up.
            #expect(await eventually(timeout: .seconds(15)) { controller.current()?.pid != proxy.pid })
        }
        #expect(killed == CrashHistory.backoff.count + 1)
        #expect(controller.current() == nil && controller.status() == .initial)
        #expect(controller.snapshot().restarts == CrashHistory.backoff.count)
        #expect(controller.snapshot().lastError?.contains("is not restarted again") == true, "\(controller.snapshot().lastError ?? "")")
        await #expect(throws: DeployError.noServingProxy, "a call waits up to its deadline for a serving version, then fails") {
            _ = try await controller.listNotes(accountId: UUID())
        }
        #expect(try await controller.deploy() == 1, "a deploy brings the version back")
        #expect(try await controller.listNotes(accountId: UUID()).isEmpty)
        await controller.shutdown()
    }

    @Test func shardStatsArePulledAndMergedAcrossVersions() async throws {
        let harness = try DeploymentHarness(rolloutWait: .milliseconds(200))
        let controller = harness.controller
        try await controller.deploy()
        controller.startStatsPolling()
        let account = UUID()
        for _ in 0..<5 { _ = try await controller.listNotes(accountId: account) }
        let shard = ShardRouter.shardName(ShardRouter(shardCount: 2).shard(for: account))
        #expect(await eventually { harness.stats.collectShardStats().noteListRequests[shard]?.totalRequests == 5 })
        try await controller.deploy()   // v1 retires; its counts must stay
        for _ in 0..<3 { _ = try await controller.listNotes(accountId: account) }
        #expect(await eventually { harness.stats.collectShardStats().noteListRequests[shard]?.totalRequests == 8 })
        await controller.shutdown()
    }

    @Test func aFailedRebuildAbortsTheDeployCleanly() async throws {
        let empty = TemporaryDirectory()   // no Package.swift here: `swift build` fails
        let harness = try DeploymentHarness(rebuilder: Rebuilder(workingDirectory: empty.url, logCapture: nil))
        await #expect(throws: DeployError.self) { try await harness.controller.deploy() }
        #expect(harness.controller.status() == .initial)
        #expect(harness.controller.snapshot().lastError?.contains("swift build failed") == true)
        await harness.controller.shutdown()
    }
}
