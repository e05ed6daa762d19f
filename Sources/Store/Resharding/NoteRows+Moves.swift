import Foundation

/// What the moves carry from shard to shard (`ShardedNoteStore+Moves`) beside the notes
/// themselves: a note's state with its tombstone, and an account's tombstones. Inside
/// transactions the caller holds on both shards (`ShardLocks`), which may be on two engines.
extension NoteRows {
    /// Makes the target's row and tombstone of one note what the source's are now.
    static func copyNote(id: UUID, of accountId: UUID, from source: some ShardRows, to target: some ShardRows) throws {
        if let note = try source.note(id: id, of: accountId) {
            try target.put(note)
        } else {
            _ = try target.deleteNote(id: id, of: accountId)
        }
        try target.deleteTombstones(of: accountId, id: id)
        for tombstone in try source.tombstones(of: accountId, id: id) { try target.putTombstone(tombstone) }
    }

    /// Makes the target's tombstones of an account exactly the source's.
    static func copyTombstones(of accountId: UUID, from source: some ShardRows, to target: some ShardRows) throws {
        try target.deleteTombstones(of: accountId, id: nil)
        for tombstone in try source.tombstones(of: accountId, id: nil) { try target.putTombstone(tombstone) }
    }
}

/// An account's rows on one shard, boiled down to what a move compares on its source and its
/// target before it switches (docs/RESHARDING.md, "Verified before every switch"): how many
/// notes and tombstones, and FNV-1a over each one's id, stamps and content in list order.
struct AccountDigest: Equatable, CustomStringConvertible {
    var notes = 0
    var tombstones = 0
    var hash = FNV1a.offsetBasis

    init(of accountId: UUID, in rows: some ShardRows) throws {
        for note in try rows.notes(of: accountId, after: nil, limit: nil) {
            notes += 1
            add("\(note.id.storageText)|\(Timestamp.milliseconds(note.createdAt))|\(Timestamp.milliseconds(note.updatedAt))|")
            hash = FNV1a.hash(note.content.utf8, continuing: hash)
        }
        for tombstone in try rows.tombstones(of: accountId, id: nil).sorted(by: { $0.id.storageText < $1.id.storageText }) {
            tombstones += 1
            add("\(tombstone.id.storageText)|\(tombstone.createdAtMs)|\(tombstone.deletedAtMs)|")
        }
    }

    private mutating func add(_ text: String) {
        hash = FNV1a.hash(text.utf8, continuing: hash)
    }

    var description: String { "\(notes) notes, \(tombstones) tombstones, digest \(String(hash, radix: 16))" }
}
