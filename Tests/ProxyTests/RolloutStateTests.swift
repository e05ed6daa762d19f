import Testing
@testable import Proxy

/// The rollout's states and transitions, driven without a process.
@Suite struct RolloutStateTests {
    final class Handle: RolloutMember {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    let later = ContinuousClock.now + .seconds(30)

    @Test func aFirstDeployServesAlone() throws {
        var state = RolloutState<Handle>.idle(current: nil)
        #expect(state.status == .initial)
        #expect(try state.beginDeploy() == 1)
        #expect(state.status == .rolloutLaunchNew && state.targetVersion == 1 && state.serving.isEmpty)
        let v1 = Handle(1)
        guard case .servingAlone = state.promote(v1, share: 50, until: later) else { Issue.record("not alone"); return }
        #expect(state.status == .ready && state.current === v1 && state.previous == nil && state.targetVersion == nil)
    }

    @Test func aRolloutServesBothThenRetiresThePrevious() throws {
        let (v1, v2) = (Handle(1), Handle(2))
        var state = RolloutState<Handle>.idle(current: v1)
        #expect(try state.beginDeploy() == 2)
        #expect(state.serving.map(\.id) == [1], "v1 serves alone while v2 launches")
        guard case .servingBeside(let previous) = state.promote(v2, share: 50, until: later) else { Issue.record("not beside"); return }
        #expect(previous === v1)
        #expect(state.status == .rolloutWait && state.rolloutEndsAt == later)
        #expect(Set(state.serving.map(\.id)) == [1, 2])
        #expect(state.stopRoutingPrevious() === v1)
        #expect(state.serving.map(\.id) == [2] && state.running.map(\.id) == [2, 1], "v1 drains, out of the routing")
        #expect(state.status == .rolloutWait && state.rolloutEndsAt == nil)
        state.previousRetired()
        #expect(state.status == .ready && state.current === v2 && state.previous == nil)
    }

    @Test func deploysNeverQueue() throws {
        var state = RolloutState<Handle>.idle(current: Handle(1))
        _ = try state.beginDeploy()
        #expect(throws: DeployError.alreadyRunning(targetVersion: 2)) { var copy = state; _ = try copy.beginDeploy() }
        _ = state.promote(Handle(2), share: 50, until: later)
        #expect(throws: DeployError.alreadyRunning(targetVersion: 2)) { var copy = state; _ = try copy.beginDeploy() }
    }

    @Test func aFailedLaunchLeavesTheCurrentVersion() throws {
        let v1 = Handle(1)
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        state.launchFailed()
        #expect(state.status == .ready && state.current === v1)
        #expect(try state.beginDeploy() == 2, "the next deploy tries the same version again")
    }

    @Test func aReplacementTakesTheBrokenOnesPlace() throws {
        let (v1, v2, freshV1) = (Handle(1), Handle(2), Handle(1))
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        _ = state.promote(v2, share: 50, until: later)
        let replaced = state.replace(v1, with: freshV1)
        #expect(replaced)
        #expect(state.previous === freshV1 && state.current === v2)
        _ = state.stopRoutingPrevious()
        let replacedWhileDraining = state.replace(freshV1, with: Handle(1))
        #expect(!replacedWhileDraining, "a draining version is not replaced")
    }

    @Test func afterStopNothingServesOrDeploys() throws {
        let (v1, v2) = (Handle(1), Handle(2))
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        let left = state.stop()
        #expect(left.map(\.id) == [1])
        #expect(state.serving.isEmpty)
        guard case .refused = state.promote(v2, share: 50, until: later) else { Issue.record("a launch finished after stop must be refused"); return }
        #expect(throws: DeployError.shuttingDown) { var copy = state; _ = try copy.beginDeploy() }
    }

    @Test func aNewVersionThatFailsDuringItsRolloutIsRolledBack() throws {
        let (v1, v2) = (Handle(1), Handle(2))
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        _ = state.promote(v2, share: 50, until: later)
        #expect(state.rollBack(v2) === v2)
        #expect(state.status == .ready && state.current === v1 && state.previous == nil)
        #expect(state.rollBack(v1) == nil, "outside a rollout nothing rolls back")
    }

    @Test func aPreviousVersionGoneEarlyEndsTheRollout() throws {
        let (v1, v2) = (Handle(1), Handle(2))
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        _ = state.promote(v2, share: 50, until: later)
        #expect(state.rollBack(v1) === v1)
        #expect(state.status == .ready && state.current === v2)
    }

    @Test func stepsGiveTheNewVersionItsShareOfCalls() throws {
        let (v1, v2) = (Handle(1), Handle(2))
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        _ = state.promote(v2, share: 10, until: later)
        #expect(state.newShare == 10)
        #expect(state.choose(among: [v1, v2], roll: 9) === v2 && state.choose(among: [v1, v2], roll: 10) === v1)
        #expect(state.choose(among: [v1], roll: 0) === v1, "the only routable one takes every call")
        #expect(state.beginStep(of: v2, share: 50, until: later) && state.newShare == 50)
        #expect(state.choose(among: [v2, v1], roll: 49) === v2 && state.choose(among: [v2, v1], roll: 50) === v1)
        let stepOfTheOld = state.beginStep(of: v1, share: 90, until: later)
        #expect(!stepOfTheOld, "only the new version's rollout takes steps")
    }

    @Test func aFailedStepDrainsTheNewVersionWhileThePreviousServesAlone() throws {
        let (v1, v2, fresh) = (Handle(1), Handle(2), Handle(1))
        var state = RolloutState<Handle>.idle(current: v1)
        _ = try state.beginDeploy()
        _ = state.promote(v2, share: 10, until: later)
        #expect(state.abandon(v1) == nil, "only the new version is abandoned")
        #expect(state.abandon(v2) === v2)
        #expect(state.status == .rolloutWait && state.serving.map(\.id) == [1] && state.running.map(\.id) == [1, 2])
        #expect(state.targetVersion == 2 && state.newShare == nil)
        #expect(throws: DeployError.alreadyRunning(targetVersion: 2)) { var copy = state; _ = try copy.beginDeploy() }
        #expect(state.replace(v1, with: fresh) && state.current === fresh, "a crash of the previous one meanwhile is replaced")
        let replacedTheAbandoned = state.replace(v2, with: Handle(2))
        #expect(!replacedTheAbandoned, "the abandoned one is not")
        state.abandonedRetired()
        #expect(state.status == .ready && state.current === fresh && state.previous == nil)
    }

    /// A read is mirrored to the other version while both serve; once a step failed, a read
    /// the failed version still answers (in flight as the rollback began) is mirrored to the
    /// one serving again — with `--mirror-reads 100` no answer of the failed version is trusted.
    @Test func readsAreMirroredDuringAStepAndFromTheFailedVersionDuringItsRollback() throws {
        let (v1, v2) = (Handle(1), Handle(2))
        var state = RolloutState<Handle>.idle(current: v1)
        #expect(state.mirror(of: v1) == nil, "one version: nothing to compare with")
        _ = try state.beginDeploy()
        _ = state.promote(v2, share: 10, until: later)
        #expect(state.mirror(of: v2).map { $0.other === v1 && $0.newVersion === v2 } == true)
        #expect(state.mirror(of: v1).map { $0.other === v2 && $0.newVersion === v2 } == true)
        _ = state.abandon(v2)
        #expect(state.mirror(of: v2).map { $0.other === v1 && $0.newVersion === v2 } == true)
        #expect(state.mirror(of: v1) == nil, "the version serving again is trusted")
        state.abandonedRetired()
        #expect(state.mirror(of: v1) == nil)
    }

    @Test func aCrashLoopBacksOffThenGivesUp() {
        var history = CrashHistory()
        let start = ContinuousClock.now
        let decisions = (0..<6).map { history.recordCrash(at: start + .seconds($0)) }
        #expect(decisions == CrashHistory.backoff.map { .restart(after: $0) } + [.giveUp(crashes: 6)])
        var spread = CrashHistory()
        let apart = (0..<10).map { spread.recordCrash(at: start + CrashHistory.window * Double($0) + .seconds($0)) }
        #expect(apart.allSatisfy { $0 == .restart(after: .zero) }, "crashes a window apart never add up")
    }
}
