import Foundation
import Testing
import TestSupport
@testable import Proxy
@testable import Store

/// Progressive rollouts with real proxy children and traffic through the controller: a good
/// version earns every step; a slow, a failing, a wrong and a killed one are each rolled back
/// in the step they went bad in — and the traffic sees no failed call and no wrong answer.
@Suite(.serialized) struct ProgressiveRolloutTests {
    /// Two steps of 5 s: long enough that a fault injected as the first begins is judged in it,
    /// on a busy machine too. (Errors and wrong answers end a step early; latency waits for its end.)
    static let wait: Duration = .seconds(10)

    /// A controller with v1 serving and traffic flowing, whose deploys go in steps 10 → 50 → 100.
    private func start(mirrorReads: Double = 0) async throws -> (DeploymentHarness, Traffic) {
        var thresholds = AnalysisThresholds()
        thresholds.mirrorReads = mirrorReads
        let harness = try DeploymentHarness(rolloutWait: Self.wait, plan: try RolloutPlan(steps: [10, 50]), thresholds: thresholds)
        try await harness.controller.deploy()
        harness.controller.startBackgroundWork()
        return (harness, Traffic(store: harness.controller, workers: 4))
    }

    /// Waits until v2 serves beside v1 in its first step.
    private func waitForFirstStep(_ controller: DeploymentController) async -> Bool {
        await eventually(timeout: .seconds(30)) {
            let snapshot = controller.snapshot()
            return snapshot.current?.id == 2 && snapshot.rollout?.step == 0
        }
    }

    /// Lets the traffic go on after the rollout (the version left serves it), then checks it all.
    private func expectNothingFailed(_ traffic: Traffic) async {
        let before = traffic.operationCount
        #expect(await eventually { traffic.operationCount > before + 100 })
        await traffic.stop()
        #expect(traffic.failureList.isEmpty, "\(traffic.failureList.prefix(3).map(\.description))")
        #expect(traffic.mismatchList.isEmpty, "\(traffic.mismatchList.prefix(3))")
    }

    @Test func aGoodVersionEarnsEveryStep() async throws {
        let (harness, traffic) = try await start(mirrorReads: 20)
        let controller = harness.controller
        try controller.startDeploy()
        #expect(await waitForFirstStep(controller))
        let first = controller.snapshot()
        #expect(first.current?.share == 10 && first.previous?.share == 90)
        #expect(await eventually(timeout: .seconds(30)) { controller.snapshot().rollout?.step == 1 })
        let second = controller.snapshot()
        #expect(second.current?.share == 50 && second.previous?.share == 50)
        #expect(await harness.waitFor(.ready))
        let done = controller.snapshot()
        let rollout = try #require(done.rollout)
        #expect(rollout.promoted && !rollout.rolledBack && rollout.step == nil)
        #expect(rollout.verdicts.map(\.percent) == [10, 50] && rollout.verdicts.allSatisfy(\.passed), "\(rollout.verdicts.map(\.summary))")
        #expect(rollout.verdicts.reduce(0) { $0 + $1.new.calls } > 0, "v2 took calls")
        #expect(rollout.verdicts.reduce(0) { $0 + $1.new.mirrored } > 0, "reads were mirrored")
        #expect(done.current?.id == 2 && done.previous == nil && done.current?.share == 100 && done.lastError == nil)
        await expectNothingFailed(traffic)
        await controller.shutdown()
    }

    /// Deploys v2 under traffic, runs `act` as its first step begins, and answers how the
    /// deploy ended and the deployment after it; then checks that the traffic lost nothing.
    private func deploy(mirrorReads: Double = 0, duringTheFirstStep act: (DeploymentController) async throws -> Void)
        async throws -> (ended: Result<Int, any Error>, after: DeploymentSnapshot) {
        let (harness, traffic) = try await start(mirrorReads: mirrorReads)
        let controller = harness.controller
        let deploy = Task { try await controller.deploy() }
        #expect(await waitForFirstStep(controller))
        try await act(controller)
        let ended = await deploy.result
        let after = controller.snapshot()
        await expectNothingFailed(traffic)
        await controller.shutdown()
        return (ended, after)
    }

    @Test(arguments: [(Fault.slow, StepVerdict.Check.latency), (.errors, .errors), (.wrong, .answers)])
    func aBadVersionIsRolledBackInTheStepItWentBadIn(fault: Fault, check: StepVerdict.Check) async throws {
        let (ended, after) = try await deploy(mirrorReads: fault == .wrong ? 100 : 0) { try await $0.inject(fault) }
        #expect(throws: DeployError.self) { try ended.get() }
        let rollout = try #require(after.rollout)
        #expect(rollout.rolledBack && !rollout.promoted)
        #expect(rollout.verdicts.count == 1, "caught in the first step: \(rollout.verdicts.map(\.summary))")
        #expect(rollout.verdicts.last?.failedCheck == check, "\(rollout.verdicts.map(\.summary))")
        #expect(after.status == .ready && after.current?.id == 1 && after.previous == nil)
        #expect(after.lastError?.contains("v2 rolled back to v1") == true && after.lastError?.contains(check.rawValue) == true,
                "\(after.lastError ?? "nil")")
    }

    @Test func aKilledVersionIsRolledBackDuringItsStep() async throws {
        let (ended, after) = try await deploy { try await $0.inject(.kill) }
        #expect(throws: DeployError.self) { try ended.get() }
        #expect(after.rollout?.rolledBack == true && after.rollout?.verdicts.isEmpty == true)
        #expect(after.current?.id == 1 && after.lastError?.contains("rolled back to v1") == true)
    }

    /// The previous version is what a step is judged against: killed during a step it is
    /// replaced, and the steps go on to judge the new version (not promote it unjudged).
    @Test func aPreviousVersionKilledDuringAStepIsReplacedAndTheStepsGoOn() async throws {
        let (ended, after) = try await deploy { controller in
            let previous = try #require(controller.previous())
            kill(previous.pid, SIGKILL)
            #expect(await eventually(timeout: .seconds(30)) { controller.previous().map { $0.pid != previous.pid } == true },
                    "a fresh v1 serves beside v2")
        }
        #expect(try ended.get() == 2)
        let rollout = try #require(after.rollout)
        #expect(rollout.promoted && !rollout.rolledBack && rollout.verdicts.map(\.percent) == [10, 50], "\(rollout.verdicts.map(\.summary))")
        #expect(after.restarts == 1 && after.current?.id == 2)
    }

    /// A bad version is a new one beside the previous: outside a rollout it is refused.
    @Test func aBadVersionNeedsARolloutToBeJudgedIn() async throws {
        let harness = try DeploymentHarness()
        let controller = harness.controller
        try await controller.deploy()
        for fault in [Fault.slow, .errors, .wrong] {
            await #expect(throws: DeployError.noNewVersion) { try await controller.inject(fault) }
        }
        await controller.shutdown()
    }

    /// Without steps the seed's rollout stands: 50/50 for the whole wait, no verdicts.
    @Test func withoutStepsBothServeHalfTheCallsForTheWholeWait() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(3))
        let controller = harness.controller
        try await controller.deploy()
        try controller.startDeploy()
        #expect(await eventually { controller.snapshot().previous != nil })
        let during = controller.snapshot()
        #expect(during.rollout == nil && during.current?.share == 50 && during.previous?.share == 50)
        #expect(await harness.waitFor(.ready))
        #expect(controller.snapshot().rollout == nil && controller.snapshot().current?.id == 2)
        await controller.shutdown()
    }

    /// `/deploy {"steps"}` overrides the configured plan for one deploy.
    @Test func aDeployMayNameItsOwnSteps() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(2))
        let controller = harness.controller
        try await controller.deploy()
        try await controller.deploy(plan: try RolloutPlan(steps: [25]))
        let rollout = try #require(controller.snapshot().rollout)
        #expect(rollout.steps == [25, 100] && rollout.verdicts.map(\.percent) == [25] && rollout.promoted)
        await controller.shutdown()
    }
}
