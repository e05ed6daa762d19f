import Foundation

/// Supervision: each serving version is watched from the moment it serves. Its exit is noticed
/// at once (an event, not a poll); a version that stops answering `Ready` is killed, which is
/// the same exit. Then, by where the rollout stands:
///
/// - the new version during `ROLLOUT_WAIT`: rolled back — the previous one serves alone and
///   the deploy ends with an error;
/// - the previous version during `ROLLOUT_WAIT`: the rollout completes early — except in a
///   progressive rollout, whose steps are judged against it: it is restarted;
/// - the only version: restarted, at once and then with back-off (`CrashHistory`), until it
///   has crashed too often and is given up with a clear error. A fault injected on purpose
///   (`inject`) is restarted at once and not counted: a presenter may press `k` all day.
extension DeploymentController {
    /// How often a serving version is asked `Ready`, and how long it may take to answer.
    public static let healthInterval: Duration = .milliseconds(250)
    public static let healthTimeout: Duration = .milliseconds(500)
    /// Unanswered `Ready` checks in a row after which a running version counts as hung.
    public static let failedChecksBeforeKill = 2

    /// Watches `proxy` while it serves: its exit, and its answers to `Ready`.
    func watch(_ proxy: ServingProxy) {
        inBackground {
            guard let status = await proxy.process.exited() else { return }
            await self.handleExit(of: proxy, status: status)
        }
        inBackground { await self.checkHealth(of: proxy) }
    }

    /// Asks `Ready` every `healthInterval` (at once again after a miss); kills the version
    /// after `failedChecksBeforeKill` misses in a row. Ends when it no longer serves.
    private func checkHealth(of proxy: ServingProxy) async {
        while !Task.isCancelled, proxy.isRoutable, record.withLock({ $0.rollout.isServing(proxy) }) {
            let timeout = Self.healthTimeout
            if (try? await proxy.process.healthClient.ready(timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))) != nil {
                proxy.healthCheckPassed()
                try? await Task.sleep(for: Self.healthInterval)
            } else if proxy.isRoutable, proxy.healthCheckFailed() >= Self.failedChecksBeforeKill {
                guard proxy.condemn() else { return }
                record.withLock { $0.announceChange() }
                logger.error("v\(proxy.id) (pid \(proxy.process.pid)) stopped answering Ready; killing it")
                kill(proxy.process.pid, SIGKILL)
                return
            }
        }
    }

    private enum ExitAction {
        case ignore
        case rolledBack(failed: ServingProxy, restored: Int)
        case previousGone
        case restart(after: Duration)
        case giveUp(crashes: Int)
    }

    private func handleExit(of proxy: ServingProxy, status: Int32) async {
        _ = proxy.condemn()
        let how = proxy.process.exitDescription(status)
        let action = record.withLock { record -> ExitAction in
            guard record.rollout.isServing(proxy) else { return .ignore }   // retired or replaced: expected
            defer { record.announceChange() }
            record.crashCount += 1
            let newVersion = record.rollout.current
            // In a progressive rollout the previous version is what each step is judged against,
            // and what takes the calls back on a rollback: its crash is repaired like any other,
            // never the end of the rollout (that would promote the new version unjudged).
            let isYardstick = record.progress?.step != nil && proxy !== newVersion
            if !isYardstick, record.rollout.rollBack(proxy) != nil {
                if proxy === newVersion {
                    let restored = record.rollout.current?.id ?? 0
                    record.progress?.rolledBack = true
                    record.rollbacks += 1
                    record.lastError = "v\(proxy.id) \(how) during its rollout; rolled back to v\(restored)"
                    return .rolledBack(failed: proxy, restored: restored)
                }
                return .previousGone
            }
            if proxy.wasFaultInjected { return .restart(after: .zero) }   // a demo, not a crash loop
            switch record.crashes.recordCrash(at: .now) {
            case .restart(let delay): return .restart(after: delay)
            case .giveUp(let crashes):
                record.rollout.remove(proxy)
                record.lastError = "v\(proxy.id) crashed \(crashes) times within \(Int(CrashHistory.window.seconds)) s; "
                    + "it is not restarted again (deploy a new version with d or POST /deploy)"
                return .giveUp(crashes: crashes)
            }
        }
        stats.retireShardExport(from: proxy.statsSource)   // its last export stands: a dead proxy cannot be asked
        switch action {
        case .ignore:
            return
        case .rolledBack(_, let restored):
            logger.error("v\(proxy.id) (pid \(proxy.process.pid)) \(how) during its rollout; rolled back: v\(restored) serves alone")
        case .previousGone:
            logger.warning("v\(proxy.id) (pid \(proxy.process.pid)) \(how) while retiring; the rollout completes now")
        case .restart(let delay):
            let when = delay > .zero ? " in \(delay)" : ""
            logger.error("v\(proxy.id) (pid \(proxy.process.pid)) \(how); starting a fresh v\(proxy.id)\(when)")
            await restart(proxy, after: delay)
        case .giveUp(let crashes):
            logger.critical("v\(proxy.id) crashed \(crashes) times within \(Int(CrashHistory.window.seconds)) s; giving up on it")
        }
        await proxy.process.shutdown(logger: logger)   // reaps it and closes its connections
    }

    /// Starts a fresh process of `broken`'s version in its place, backing off while launches
    /// fail too.
    private func restart(_ broken: ServingProxy, after firstDelay: Duration) async {
        var delay = firstDelay
        while !Task.isCancelled {
            if delay > .zero { try? await Task.sleep(for: delay) }
            do {
                let fresh = ServingProxy(try await launcher.relaunch(broken.id, logger: logger))
                let replaced = await membership.withLock {
                    record.withLock { record in
                        guard record.rollout.replace(broken, with: fresh) else { return false }
                        record.restarts += 1
                        startStepAgain(&record)
                        record.announceChange()
                        return true
                    }
                }
                guard replaced else {
                    await fresh.process.shutdown(logger: logger)
                    return
                }
                watch(fresh)
                logger.info("v\(broken.id) restarted", metadata: ["pid": "\(fresh.process.pid)"])
                return
            } catch {
                logger.error("restart of v\(broken.id) failed", metadata: ["error": "\(error)"])
                let decision = record.withLock { record -> CrashHistory.Decision in
                    record.lastError = "restart of v\(broken.id) failed: \(error)"
                    let decision = record.crashes.recordCrash(at: .now)
                    if case .giveUp = decision {
                        record.rollout.remove(broken)
                        record.announceChange()
                    }
                    return decision
                }
                guard case .restart(let next) = decision else {
                    logger.critical("v\(broken.id) could not be restarted; giving up on it")
                    return
                }
                delay = next
            }
        }
    }
}

extension DataProxyProcess {
    /// "was killed by signal 9", "exited with status 1": how a child ended, for logs.
    func exitDescription(_ status: Int32) -> String {
        status > 128 ? "was killed by signal \(status - 128)" : "exited with status \(status)"
    }
}
