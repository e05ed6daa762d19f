import Foundation

/// The rules of a shard's rows, on every engine (`ShardRows` is one engine's SQL).
///
/// The rules that make a write safe to send again (docs/DEPLOYMENTS.md, "Faults") live here:
/// - a create sent again finds its note — or, if the note was deleted since, its tombstone —
///   and succeeds changing nothing, so a retry never resurrects a deleted note;
/// - an update replaces a row only when its `updatedAt` is strictly newer, so a retry of an
///   older update (or one stamped the same) never overwrites what replaced it;
/// - a delete leaves a tombstone, kept `tombstoneRetention` — far past the longest retry
///   window (a call's 8 s deadline) — and moved with its account.
enum NoteRows {
    /// How long a deleted note's tombstone is kept.
    static let tombstoneRetention: TimeInterval = 3600

    /// Applies one write of `accountId`'s notes.
    static func apply(_ write: NoteWrite, of accountId: UUID, in rows: some ShardRows) throws {
        switch write {
        case .create(let note):
            try validate(note, accountId: accountId)
            try insert(note, in: rows)
        case .update(let note):
            try validate(note, accountId: accountId)
            try update(note, in: rows)
        case .delete(let note):
            guard note.creator == accountId else { throw StoreError.noteNotFound(note.id) }
            try delete(creator: accountId, id: note.id, in: rows)
        }
    }

    private static func validate(_ note: Note, accountId: UUID) throws {
        guard note.creator == accountId else {
            throw StoreError.invalidInput("note.creator \(note.creator.uuidText) is not the account \(accountId.uuidText)")
        }
        try StoreLimits.validateContent(note.content)
    }

    /// A create sent again is known by its account, id and creation time: the note is there
    /// (maybe edited since), or its tombstone is — both the success the first try was. Another
    /// note under an id the account has used is a conflict.
    private static func insert(_ note: Note, in rows: some ShardRows) throws {
        let createdAtMs = Timestamp.milliseconds(note.createdAt)
        let existing = try rows.key(of: note.id, of: note.creator)?.createdAtMs
            ?? rows.tombstones(of: note.creator, id: note.id).first?.createdAtMs
        if let existing {
            if existing == createdAtMs { return }
            throw StoreError.noteAlreadyExists(note.id)
        }
        try rows.put(note)
    }

    /// Last write wins, by `updatedAt`, strictly: an update not newer than the stored note is
    /// acknowledged and dropped. Callers stamp an edit strictly after the note they edit
    /// (`Note.edited`), so a newer edit always gets through.
    private static func update(_ note: Note, in rows: some ShardRows) throws {
        if try rows.updateIfNewer(note) { return }
        if try rows.key(of: note.id, of: note.creator) == nil { throw StoreError.noteNotFound(note.id) }
    }

    /// Deletes the note and leaves its tombstone; tombstones past their retention go.
    private static func delete(creator: UUID, id: UUID, in rows: some ShardRows) throws {
        guard let key = try rows.key(of: id, of: creator) else { throw StoreError.noteNotFound(id) }
        _ = try rows.deleteNote(id: id, of: creator)
        let now = Timestamp.milliseconds(Date())
        try rows.putTombstone(Tombstone(creator: creator, id: id, createdAtMs: key.createdAtMs, deletedAtMs: now))
        try rows.pruneTombstones(deletedBefore: now - Int64(tombstoneRetention * 1000))
    }
}
