import Store

/// Whether two versions' answers to the same read disagree — the first answer read, then the
/// second. Both versions read the same store, so the second read sees the first one's notes or
/// newer ones: a note written (or created, or deleted) between the two reads is not a
/// mismatch. Differ means: one note, the same `updatedAt`, two contents (or creators, or
/// creation times); or the second read older than the first — which no write explains.
enum MirroredAnswers {
    static func differ(_ first: NoteStoreAnswer, then second: NoteStoreAnswer) -> Bool {
        switch (first, second) {
        case (.note(let one?), .note(let other?)):
            return differ(one, then: other)
        case (.note, .note):
            return false   // created or deleted between the reads
        case (.notes(let one), .notes(let other)):
            let later = Dictionary(other.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return one.contains { note in later[note.id].map { differ(note, then: $0) } ?? false }
        case (.count, .count):
            return false   // a count moves with every create and delete
        default:
            return first != second
        }
    }

    private static func differ(_ first: Note, then second: Note) -> Bool {
        if second.updatedAt < first.updatedAt { return true }
        if second.updatedAt > first.updatedAt { return false }
        return first != second
    }

    /// The reads that may be mirrored: note reads of one account (writes never are).
    static func isMirrorable(_ call: NoteStoreCall) -> Bool {
        switch call {
        case .getNote, .listNotes: true
        default: false
        }
    }
}
