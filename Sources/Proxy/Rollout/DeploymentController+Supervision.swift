import Foundation

/// Supervision: a serving proxy that crashes, or stops answering `Ready`, is replaced by a
/// fresh process of the same version.
extension DeploymentController {
    /// How often serving proxies are checked for a crash.
    public static let supervisionInterval: Duration = .milliseconds(250)
    /// Failed `Ready` checks in a row after which a live but unresponsive proxy is replaced.
    public static let failedChecksBeforeReplace = 3

    func superviseLoop() async {
        var tick = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.supervisionInterval)
            tick += 1
            let checkHealth = tick % 4 == 0   // once a second
            for proxy in record.withLock({ $0.rollout.serving }) {
                if !proxy.process.isRunning {
                    await replace(proxy, reason: "exited with status \(proxy.process.exitStatus ?? -1)")
                } else if checkHealth {
                    if (try? await proxy.process.healthClient.ready(timeout: .seconds(1))) != nil {
                        proxy.healthCheckPassed()
                    } else if proxy.healthCheckFailed() >= Self.failedChecksBeforeReplace {
                        await replace(proxy, reason: "stopped answering Ready")
                    }
                }
            }
        }
    }

    /// Replaces a crashed or hung proxy with a fresh process of the same version.
    private func replace(_ broken: ServingProxy, reason: String) async {
        logger.error("v\(broken.id) (pid \(broken.process.pid)) \(reason); starting a fresh v\(broken.id)")
        await membership.withLock {
            guard record.withLock({ $0.rollout.isServing(broken) }) else { return }
            // Its last export (from the stats poll) stands: a broken proxy cannot be asked.
            stats.retireShardExport(from: broken.statsSource)
            if broken.process.isRunning { kill(broken.process.pid, SIGKILL) }
            let fresh: DataProxyProcess
            do {
                fresh = try await launcher.relaunch(broken.id, logger: logger)
            } catch {
                record.withLock { $0.lastError = "restart of v\(broken.id) failed: \(error)" }
                logger.error("restart of v\(broken.id) failed; will try again", metadata: ["error": "\(error)"])
                return
            }
            let replaced = record.withLock { record in
                guard record.rollout.replace(broken, with: ServingProxy(fresh)) else { return false }
                record.restarts += 1
                return true
            }
            if replaced {
                logger.info("v\(broken.id) restarted", metadata: ["pid": "\(fresh.pid)"])
            } else {
                await fresh.shutdown(logger: logger)
            }
        }
        await broken.process.shutdown(logger: logger)
    }
}
