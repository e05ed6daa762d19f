import Foundation

/// A fault a presenter injects on purpose into the serving version, to show that a crash or a
/// hang costs no request (the dashboard's `k` and `h`, `POST /chaos`).
public enum Fault: String, Sendable, CaseIterable {
    /// SIGKILL: the process dies at once, calls in hand.
    case kill
    /// SIGSTOP for `DeploymentController.hangDuration`, then SIGCONT — unless supervision,
    /// finding it hung, killed it first.
    case hang
}

extension DeploymentController {
    public static let hangDuration: Duration = .seconds(5)

    /// Injects `fault` into the current version and returns what it did (also logged).
    /// Throws `noServingProxy` when nothing serves.
    @discardableResult
    public func inject(_ fault: Fault) throws -> String {
        guard let proxy = record.withLock({ $0.rollout.current }), proxy.isRoutable else { throw DeployError.noServingProxy }
        let (id, pid) = (proxy.id, proxy.process.pid)
        proxy.markFaultInjected()
        let message: String
        switch fault {
        case .kill:
            kill(pid, SIGKILL)
            message = "chaos: killed v\(id) (pid \(pid)) with SIGKILL"
        case .hang:
            kill(pid, SIGSTOP)
            message = "chaos: hung v\(id) (pid \(pid)) with SIGSTOP for \(Self.hangDuration)"
            inBackground {
                try? await Task.sleep(for: Self.hangDuration)   // also ends early at shutdown: a stopped process can't stop
                guard proxy.process.isRunning else { return }
                kill(pid, SIGCONT)
                self.logger.warning("chaos: v\(id) (pid \(pid)) resumed with SIGCONT")
            }
        }
        logger.warning("\(message)")
        return message
    }
}
