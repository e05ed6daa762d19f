import Foundation

/// The rows of one shard — `note`, and `tombstone` for deleted notes — as one engine's SQL
/// reads and writes them, inside a transaction the caller holds (or, for reads, on their own).
/// The rules built on them (`NoteRows`: what makes a write safe to send again, and what a move
/// copies) are written once for every engine.
protocol ShardRows {
    /// One note of an account as the shard has it now.
    func note(id: UUID, of creator: UUID) throws -> Note?
    /// An account's notes after `key` in list order (creation time, then id; all of them after
    /// nil), at most `limit` (nil: no limit).
    func notes(of creator: UUID, after key: NoteKey?, limit: Int?) throws -> [Note]
    /// Where a note sits in its account's list order, or nil when the account has no such note.
    func key(of id: UUID, of creator: UUID) throws -> NoteKey?
    func count(of creator: UUID) throws -> Int
    /// Every note on the shard.
    func totalCount() throws -> Int

    /// Writes a note's row as it is, over the account's row with its id: a copy, not a create.
    func put(_ note: Note) throws
    /// `put` for a batch of one account's notes (a move's copy): one statement where the
    /// engine is across a network.
    func putAll(_ notes: [Note]) throws
    /// Replaces the stored note only when `note.updatedAt` is strictly newer; false when no row
    /// changed (none newer, or no such note).
    func updateIfNewer(_ note: Note) throws -> Bool
    /// Deletes one note; false when there was none.
    func deleteNote(id: UUID, of creator: UUID) throws -> Bool
    /// Deletes an account's notes after `from` and up to `through` in list order (nil: no bound).
    func deleteNotes(of creator: UUID, after from: NoteKey?, through: NoteKey?) throws
    /// Deletes up to `limit` of an account's rows — notes first, then tombstones; returns how
    /// many went (fewer than `limit`: none are left).
    func deleteSomeRows(of creator: UUID, limit: Int) throws -> Int

    /// An account's tombstones: all of them, or the one of note `id`.
    func tombstones(of creator: UUID, id: UUID?) throws -> [Tombstone]
    /// Deletes an account's tombstones: all of them, or the one of note `id`.
    func deleteTombstones(of creator: UUID, id: UUID?) throws
    func putTombstone(_ tombstone: Tombstone) throws
    /// Deletes every tombstone of a note deleted before `milliseconds` (since the epoch).
    func pruneTombstones(deletedBefore milliseconds: Int64) throws

    /// The accounts that have rows here — notes, or tombstones of deleted ones — with how
    /// many notes each has (0: only tombstones).
    func accountsWithRows() throws -> [UUID: Int]
}

/// What is left of a deleted note (`NoteRows`): enough to know a create sent again.
struct Tombstone: Equatable, Sendable {
    var creator: UUID
    var id: UUID
    var createdAtMs: Int64
    var deletedAtMs: Int64
}

/// A note's place in an account's list order (creation time, then id): where a move's copy
/// has got to. `id` is the key as stored (upper case), which sorts the same on every engine.
struct NoteKey: Sendable, Equatable {
    var createdAtMs: Int64
    var id: String

    init(createdAtMs: Int64, id: String) {
        self.createdAtMs = createdAtMs
        self.id = id
    }

    init(_ note: Note) {
        self.init(createdAtMs: Timestamp.milliseconds(note.createdAt), id: note.id.storageText)
    }
}
