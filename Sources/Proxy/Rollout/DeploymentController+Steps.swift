import Foundation

/// The steps of a progressive rollout (DESIGN.md, "Progressive rollouts"): the new version
/// takes each step's share of calls for its part of the wait; then both versions' calls over
/// that step are judged (`StepVerdict`). A step that passes leads to the next, the last to
/// 100 % (the previous version retires as in the seed's rollout); one that fails rolls back
/// at once — the previous version takes every call, the new one drains and stops — and the
/// deploy ends with `lastError` naming the check and its figures. A crash of the new version
/// during a step is supervision's rollback, as in the seed's.
extension DeploymentController {
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
            let end = await waitOutRollout(of: newProxy)
            guard end == .timeUp else { return end }
            guard let verdict = judgeStep(percent, of: newProxy) else { return await waitOutRollout(of: newProxy) }
            if verdict.passed {
                logger.info("\(verdict.summary)")
            } else {
                logger.error("\(verdict.summary)")
                await rollBack(newProxy, because: verdict)
                return .rolledBack
            }
        }
        return .timeUp
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

    /// Gives every call back to the previous version, then drains and stops the new one.
    private func rollBack(_ newProxy: ServingProxy, because verdict: StepVerdict) async {
        let abandoned = await membership.withLock {
            record.withLock { record in
                guard let abandoned = record.rollout.abandon(newProxy) else { return nil as ServingProxy? }
                let restored = record.rollout.current?.id ?? 0
                record.lastError = "v\(newProxy.id) rolled back to v\(restored): \(verdict.summary)"
                record.progress?.rolledBack = true
                record.announceChange()
                return abandoned
            }
        }
        guard let abandoned else { return }
        logger.error("rolling back: v\(newProxy.id) drains and stops; the previous version takes every call")
        await drainAndStop(abandoned)
        record.withLock { record in
            record.rollout.abandonedRetired()
            record.announceChange()
        }
        logger.info("v\(abandoned.id) retired after its rollback")
    }
}
