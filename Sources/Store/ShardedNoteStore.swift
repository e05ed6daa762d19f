import Foundation

/// The notes of every account, spread over `shard-0 … shard-N-1` in one data dir.
/// An account's notes all live on the shard `ShardRouter` picks for its id.
public final class ShardedNoteStore: NoteStore {
    public let router: ShardRouter
    private let shards: [SQLiteNoteShard]

    /// Opens (creating if needed) the shard files. Fails with `shardCountMismatch` when the
    /// data dir was made with another shard count.
    public init(dataDirectory: DataDirectory, shardCount: Int) throws {
        guard shardCount > 0 else { throw StoreError.invalidInput("shard count must be at least 1") }
        try dataDirectory.create()
        router = ShardRouter(shardCount: shardCount)
        shards = try (0..<shardCount).map { index in
            try SQLiteNoteShard(url: dataDirectory.shardURL(index), index: index, shardCount: shardCount)
        }
    }

    private func shard(_ accountId: UUID) -> SQLiteNoteShard { shards[router.shard(for: accountId)] }

    /// Runs one call on the shard of its account (or on every shard), after checking what
    /// the caller may not do: a note of another account, content over the limit.
    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        switch call {
        case .listNotes(let accountId):
            return .notes(try await shard(accountId).list(creator: accountId))
        case .getNote(let accountId, let noteId):
            return .note(try await shard(accountId).get(creator: accountId, id: noteId))
        case .createNote(let accountId, let note):
            try Self.validate(note, accountId: accountId)
            try await shard(accountId).insert(note)
        case .updateNote(let accountId, let note):
            try Self.validate(note, accountId: accountId)
            try await shard(accountId).update(note)
        case .deleteNote(let accountId, let note):
            guard note.creator == accountId else { throw StoreError.noteNotFound(note.id) }
            try await shard(accountId).delete(creator: accountId, id: note.id)
        case .countNotes(let accountId):
            return .count(try await shard(accountId).count(creator: accountId))
        case .totalNotes:
            var total = 0
            for shard in shards { total += try await shard.total() }
            return .count(total)
        case .healthCheck:
            for shard in shards { try await shard.healthCheck() }
        }
        return .done
    }

    public func close() throws {
        for shard in shards { try shard.close() }
    }

    private static func validate(_ note: Note, accountId: UUID) throws {
        guard note.creator == accountId else {
            throw StoreError.invalidInput("note.creator \(note.creator.uuidString) is not the account \(accountId.uuidString)")
        }
        try StoreLimits.validateContent(note.content)
    }
}
