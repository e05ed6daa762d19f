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
