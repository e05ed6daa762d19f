import Foundation
import Store

/// Mirrored reads (`--mirror-reads P`): during a step of a progressive rollout, P % of note
/// reads are sent to the other version too, after the first answer, and the two answers are
/// compared (`MirroredAnswers`). A difference counts against the new version — its step then
/// fails the answers check. The caller gets the previous version's answer whenever the read
/// was mirrored: it is the one trusted until the new version has earned its traffic, and read
/// second it is also the newer — a new version's wrong answer to a note written between the
/// two reads is no mismatch, yet must not reach the caller. A read the new version answers
/// after its step failed (in flight as the rollback began) is mirrored the same way. A mirror
/// that fails judges nothing, and the caller keeps the answer it has.
extension DeploymentController {
    func mirror(_ call: NoteStoreCall, answered answer: NoteStoreAnswer, by proxy: ServingProxy,
                deadline: Date) async -> NoteStoreAnswer {
        guard MirroredAnswers.isMirrorable(call), let (other, newVersion) = enterMirror(of: proxy) else { return answer }
        defer { other.leave() }
        guard let second = try? await other.client.perform(call, deadline: deadline) else { return answer }
        let differed = MirroredAnswers.differ(answer, then: second)
        newVersion.recordMirror(differed: differed)
        if differed {
            logger.warning("v\(proxy.id) and v\(other.id) answered \(call.operation.rawValue) differently; answering with v\(newVersion === proxy ? other.id : proxy.id)'s")
        }
        guard newVersion === proxy else { return answer }
        AnsweringVersion.current?.record(other.id)
        return second
    }

    /// The other version, entered for a mirrored read — when a step runs (or its rollback, for
    /// a read the failed version answered), mirroring is on and this read is one of its share —
    /// and which of the two is the new one.
    private func enterMirror(of proxy: ServingProxy) -> (other: ServingProxy, newVersion: ServingProxy)? {
        let share = configuration.thresholds.mirrorReads
        guard share > 0, Double.random(in: 0..<100) < share else { return nil }
        return record.withLock { record in
            guard record.progress?.step != nil, let mirror = record.rollout.mirror(of: proxy), mirror.other.isRoutable else { return nil }
            mirror.other.enter()
            return mirror
        }
    }
}
