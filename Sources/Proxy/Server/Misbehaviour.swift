import Foundation
import Store

/// A bad version on purpose, for the demo of a progressive rollout (`POST /chaos` with `slow`,
/// `errors` or `wrong`; the proxy learns it through `SetFault`). The process stays sound — it
/// answers `Ready`, so supervision leaves it alone — and it never writes anything wrong: only
/// a rollout's analysis can tell it is bad.
public enum Misbehaviour: String, Sendable, CaseIterable {
    /// Every store call waits `addedLatency` before it runs.
    case slow
    /// A share of store calls is refused before it runs (so it never applied, and the caller
    /// may send it to another version).
    case errors
    /// A share of note reads answers with one note's content changed (its id and `updatedAt`
    /// kept, as a bug in reading or encoding would).
    case wrong

    /// Well over the p95 a busy machine gives a sound version (270 ms was seen with every test
    /// suite running at once), so twice the sound version's p95 can't hide it.
    public static let addedLatency: Duration = .milliseconds(500)
    public static let refusedShare = 0.25
    public static let wrongShare = 0.25

    /// What happens before `call` runs.
    enum Before: Equatable { case run, wait(Duration), refuse }

    func before(roll: Double = .random(in: 0..<1)) -> Before {
        switch self {
        case .slow: .wait(Self.addedLatency)
        case .errors: roll < Self.refusedShare ? .refuse : .run
        case .wrong: .run
        }
    }

    /// The answer sent for a call that ran: a wrong note now and then, for `wrong`.
    func answer(_ answer: NoteStoreAnswer, proxyId: Int, roll: Double = .random(in: 0..<1)) -> NoteStoreAnswer {
        guard self == .wrong, roll < Self.wrongShare else { return answer }
        switch answer {
        case .note(let note?): return .note(Self.spoiled(note, by: proxyId))
        case .notes(var notes) where !notes.isEmpty:
            notes[0] = Self.spoiled(notes[0], by: proxyId)
            return .notes(notes)
        default: return answer
        }
    }

    private static func spoiled(_ note: Note, by proxyId: Int) -> Note {
        var note = note
        note.content = "⚠ wrong answer from v\(proxyId): " + note.content
        return note
    }

    /// The error a refused call gets: it never ran.
    static func refusal(proxyId: Int) -> RPCError {
        RPCError(code: NotelyRPCCode.refused, message: "v\(proxyId) refused the call before running it (chaos: errors); it was not applied")
    }
}
