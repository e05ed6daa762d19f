import Foundation

/// The steps of a progressive rollout (DESIGN.md, "Progressive rollouts"): the new version
/// takes each step's share of calls for its part of the wait; then both versions' calls over
/// that step are judged (`StepVerdict`). A step that passes leads to the next, the last to
/// 100 % (the previous version retires as in the seed's rollout); one that fails rolls back
/// at once — the previous version takes every call, the new one drains and stops — and the
/// deploy ends with `lastError` naming the check and its figures. The figures are also looked
/// at while the step runs, so an answer that differed, or errors over enough calls, end it
/// early (`StepVerdict.failsEarly`). A crash of the new version during a step is
/// supervision's rollback, as in the seed's.
extension DeploymentController {
    /// How often a running step's figures are looked at.
    static let interimLook: Duration = .milliseconds(250)

    func runSteps(_ plan: RolloutPlan, of newProxy: ServingProxy, stepDuration: Duration) async -> RolloutEnd {
        for (index, percent) in plan.steps.enumerated() {
            let began = await membership.withLock {
                record.withLock { record in
                    guard record.rollout.beginStep(of: newProxy, share: percent, until: ContinuousClock.now + stepDuration) else { return false }
                    record.progress?.step = index
                    // Both windows start now: a step judges the two versions over the same time.
                    for proxy in record.rollout.serving { _ = proxy.takeCalls() }
                    record.announceChange()
                    return true
                }
            }
            guard began else { return await waitOutRollout(of: newProxy) }   // says how it ended
            logger.info("v\(newProxy.id) takes \(percent)% of calls for \(stepDuration)")
            let verdict: StepVerdict
            switch await waitOutStep(percent, of: newProxy, stepDuration: stepDuration) {
            case .ended(let rolloutEnd): return rolloutEnd
            case .failedEarly(let early): verdict = early
            case .timeUp:
                guard let judged = judgeStep(percent, of: newProxy) else { return await waitOutRollout(of: newProxy) }
                verdict = judged
            }
            if verdict.passed {
                logger.info("\(verdict.summary)")
            } else {
                logger.error("\(verdict.summary)")
                guard await rollBack(newProxy, because: verdict) else { return await waitOutRollout(of: newProxy) }
                return .rolledBack
            }
        }
        return .timeUp
    }

    private enum StepEnd {
        case timeUp
        /// Figures that fail the step before its end; the verdict is kept.
        case failedEarly(StepVerdict)
        /// The rollout itself ended (a crash, shutdown).
        case ended(RolloutEnd)
    }

    /// How many times a step that saw too few calls to judge waits as long again before it
    /// passes saying so (a slow new version gets fewer calls; a rollout with no traffic at all
    /// must still end).
    static let extensionsForTooFewCalls = 2

    /// Waits for the step's end, looking at its figures every `interimLook`, so figures that
    /// fail it early end it at once; a step that saw too few calls to judge goes on longer.
    private func waitOutStep(_ percent: Int, of newProxy: ServingProxy, stepDuration: Duration) async -> StepEnd {
        var extensions = 0
        while true {
            let (rollout, changed) = record.withLock { ($0.rollout, $0.changed) }
            guard case .bothServing(let current, let previous, _, let endsAt) = rollout, current === newProxy else {
                return .ended(await waitOutRollout(of: newProxy))
            }
            let now = ContinuousClock.now
            if now >= endsAt {
                let fewest = min(current.windowSoFar.calls, previous.windowSoFar.calls)
                guard fewest < configuration.thresholds.minCalls, extensions < Self.extensionsForTooFewCalls,
                      record.withLock({ $0.rollout.beginStep(of: current, share: percent, until: now + stepDuration) }) else { return .timeUp }
                extensions += 1
                logger.info("step \(percent)%: too few calls to judge yet (v\(current.id) \(current.windowSoFar.calls), v\(previous.id) \(previous.windowSoFar.calls)); the step goes on \(stepDuration) more")
                continue
            }
            let soFar = StepVerdict.judge(percent: percent, newVersion: current.id, new: current.windowSoFar,
                                          previousVersion: previous.id, previous: previous.windowSoFar, thresholds: configuration.thresholds)
            if soFar.failsEarly(configuration.thresholds) {
                record.withLock { $0.progress?.verdicts.append(soFar) }
                return .failedEarly(soFar)
            }
            if await changed.wait(timeout: min(endsAt - now, Self.interimLook)) == nil, Task.isCancelled { return .ended(.shutDown) }
        }
    }

    /// A version replaced during a step (the previous one crashed and was restarted) makes the
    /// step's figures unfair — the new version took every call while the other was down, and
    /// the fresh process has no calls yet — so the step starts over: both windows and its time.
    func startStepAgain(_ record: inout Record) {
        guard let seconds = record.progress?.stepSeconds, record.progress?.step != nil,
              case .bothServing(let current, let previous, let share, _) = record.rollout,
              record.rollout.beginStep(of: current, share: share, until: ContinuousClock.now + .seconds(seconds)) else { return }
        _ = current.takeCalls()
        _ = previous.takeCalls()
        logger.info("v\(previous.id) was replaced during the step at \(share)%: the step starts over")
    }

    /// Judges the step that just ended from both versions' calls, and keeps the verdict; nil
    /// when the rollout no longer runs.
    private func judgeStep(_ percent: Int, of newProxy: ServingProxy) -> StepVerdict? {
        record.withLock { record in
            guard case .bothServing(let current, let previous, _, _) = record.rollout, current === newProxy else { return nil }
            let verdict = StepVerdict.judge(percent: percent, newVersion: current.id, new: current.takeCalls(),
                                            previousVersion: previous.id, previous: previous.takeCalls(),
                                            thresholds: configuration.thresholds)
            record.progress?.verdicts.append(verdict)
            return verdict
        }
    }

    /// Gives every call back to the previous version, then drains and stops the new one. False
    /// when the rollout had already ended (the new version crashed, or `notely` stops).
    private func rollBack(_ newProxy: ServingProxy, because verdict: StepVerdict) async -> Bool {
        let abandoned = await retire(leaving: { record in
            guard let abandoned = record.rollout.abandon(newProxy) else { return nil }
            let restored = record.rollout.current?.id ?? 0
            record.lastError = "v\(newProxy.id) rolled back to v\(restored): \(verdict.summary)"
            record.progress?.rolledBack = true
            record.rollbacks += 1
            return abandoned
        }, then: { $0.abandonedRetired() })
        guard let abandoned else { return false }
        logger.info("v\(abandoned.id) retired after its rollback: the previous version took every call back, then its calls in flight finished")
        return true
    }
}
