import Foundation

/// A fault a presenter injects on purpose, to show that a crash or a hang costs no request (the
/// dashboard's `k` and `h`), or that a progressive rollout catches a bad version and rolls it
/// back (`s`, `f`, `w`); also `POST /chaos`.
public enum Fault: String, Sendable, CaseIterable {
    /// SIGKILL of the current version: the process dies at once, calls in hand.
    case kill
    /// SIGSTOP of the current version for `DeploymentController.hangDuration`, then SIGCONT —
    /// unless supervision, finding it hung, killed it first.
    case hang
    /// The newest version turns slow, refuses some calls, or answers some reads wrongly
    /// (`Misbehaviour`) until it stops.
    case slow, errors, wrong

    /// The misbehaviour the fault asks the proxy for; nil for the faults done to its process.
    var misbehaviour: Misbehaviour? { Misbehaviour(rawValue: rawValue) }
}

extension DeploymentController {
    public static let hangDuration: Duration = .seconds(5)

    /// Injects `fault` into the current (the newest) version and returns what it did (also
    /// logged). Throws `noServingProxy` when nothing serves, and `noNewVersion` for a bad
    /// version outside a rollout: only a new version beside the previous one can be judged
    /// against it (a bad *previous* version would have the sound new one blamed).
    @discardableResult
    public func inject(_ fault: Fault) async throws -> String {
        let (current, newVersionServes) = record.withLock { record in
            if case .bothServing(let current, _, _, _) = record.rollout { return (current as ServingProxy?, true) }
            return (record.rollout.current, false)
        }
        guard let proxy = current, proxy.isRoutable else { throw DeployError.noServingProxy }
        let (id, pid) = (proxy.id, proxy.process.pid)
        let message: String
        switch fault {
        case .kill:
            proxy.markFaultInjected()
            kill(pid, SIGKILL)
            message = "chaos: killed v\(id) (pid \(pid)) with SIGKILL"
        case .hang:
            proxy.markFaultInjected()
            kill(pid, SIGSTOP)
            message = "chaos: hung v\(id) (pid \(pid)) with SIGSTOP for \(Self.hangDuration)"
            inBackground {
                try? await Task.sleep(for: Self.hangDuration)   // also ends early at shutdown: a stopped process can't stop
                guard proxy.process.isRunning else { return }
                kill(pid, SIGCONT)
                self.logger.warning("chaos: v\(id) (pid \(pid)) resumed with SIGCONT")
            }
        case .slow, .errors, .wrong:
            guard let misbehaviour = fault.misbehaviour, newVersionServes else { throw DeployError.noNewVersion }
            try await proxy.client.setFault(misbehaviour, timeout: .seconds(2))
            message = "chaos: v\(id) (pid \(pid)) is now \(misbehaviour.demoDescription)"
        }
        logger.warning("\(message)")
        return message
    }
}

extension Misbehaviour {
    /// "slow (+100 ms a call)": what the version now does, for logs and the dashboard.
    var demoDescription: String {
        switch self {
        case .slow: "slow (+\(Int(Self.addedLatency.seconds * 1000)) ms a call)"
        case .errors: "refusing \(Int(Self.refusedShare * 100))% of calls"
        case .wrong: "answering \(Int(Self.wrongShare * 100))% of reads wrongly"
        }
    }
}
