import Foundation

/// One note-store operation with its arguments: the single description of a call that every
/// layer shares — the typed methods build it, forwarding stores pass it on whole, the RPC
/// codec writes and reads it (`Proxy/Wire`), and the SQLite store runs it.
public enum NoteStoreCall: Sendable, Hashable {
    /// An account's notes, oldest first: all of them, or a page — at most `limit`, after the
    /// note `after` in that order.
    case listNotes(accountId: UUID, limit: Int? = nil, after: UUID? = nil)
    case getNote(accountId: UUID, noteId: UUID)
    case createNote(accountId: UUID, note: Note)
    case updateNote(accountId: UUID, note: Note)
    case deleteNote(accountId: UUID, note: Note)
    case countNotes(accountId: UUID)
    case totalNotes
    case healthCheck
    /// Live re-sharding (docs/RESHARDING.md): queues a move of an account's notes to shard
    /// `toShard`; `stepPlacement` calls carry it out while calls on the account keep working.
    case moveAccount(accountId: UUID, toShard: Int)
    /// Adds empty shards up to `count` — on `engine`, or the newest shard's engine when nil —
    /// and queues a move of every account whose hash placement changes.
    case growShards(count: Int, engine: ShardEngine? = nil)
    /// Moves every account off active shard `index`, then retires it (drops its storage).
    case drainShard(index: Int)
    /// Replaces every active shard on another engine with a new one on `engine`, moving
    /// every note there (docs/RESHARDING.md, "Changing the shard set").
    case migrateShards(engine: ShardEngine)
    /// One bounded step of the queued moves (a batch of up to `batch` notes — the store's
    /// default when nil —, a switch, or a clean-up), or of retiring drained shards.
    case stepPlacement(batch: Int? = nil)
    /// Where every account lives, what moves, and how many notes each shard holds.
    case describePlacement

    public var operation: NoteStoreOperation {
        switch self {
        case .listNotes: .listNotes
        case .getNote: .getNote
        case .createNote: .createNote
        case .updateNote: .updateNote
        case .deleteNote: .deleteNote
        case .countNotes: .countNotes
        case .totalNotes: .totalNotes
        case .healthCheck: .healthCheck
        case .moveAccount: .moveAccount
        case .growShards: .growShards
        case .drainShard: .drainShard
        case .migrateShards: .migrateShards
        case .stepPlacement: .stepPlacement
        case .describePlacement: .describePlacement
        }
    }

    /// The account whose notes the call reads or writes, which decides its shard; nil for
    /// calls on every shard and for the placement's own calls.
    public var accountId: UUID? {
        switch self {
        case .listNotes(let accountId, _, _), .getNote(let accountId, _), .createNote(let accountId, _),
             .updateNote(let accountId, _), .deleteNote(let accountId, _), .countNotes(let accountId):
            accountId
        case .totalNotes, .healthCheck, .moveAccount, .growShards, .drainShard, .migrateShards, .stepPlacement, .describePlacement:
            nil
        }
    }
}

/// A change to one note: what the write path carries to the row, so the store decides the
/// operation once.
public enum NoteWrite: Sendable, Hashable {
    case create(Note)
    case update(Note)
    case delete(Note)

    public var note: Note {
        switch self {
        case .create(let note), .update(let note), .delete(let note): note
        }
    }

    public var isDelete: Bool {
        if case .delete = self { return true }
        return false
    }
}

/// The kinds of note-store call. The raw values are the JSON-RPC method names of the data
/// proxy protocol (docs/PROTOCOL.md).
public enum NoteStoreOperation: String, CaseIterable, Sendable {
    case listNotes = "ListNotes"
    case getNote = "GetNote"
    case createNote = "CreateNote"
    case updateNote = "UpdateNote"
    case deleteNote = "DeleteNote"
    case countNotes = "CountNotes"
    case totalNotes = "GetTotalNotes"
    case healthCheck = "HealthCheck"
    case moveAccount = "MoveAccount"
    case growShards = "GrowShards"
    case drainShard = "DrainShard"
    case migrateShards = "MigrateShards"
    case stepPlacement = "StepPlacement"
    case describePlacement = "GetPlacement"
}

/// What a note-store call gives back. The typed methods of `NoteStore` unwrap it; an answer
/// of the wrong kind for its call is a bug in the conformer and fails the call.
public enum NoteStoreAnswer: Sendable, Hashable {
    case notes([Note])
    case note(Note?)
    case count(Int)
    case done
    /// A move accepted: from which shard to which; or a change of the shard set: from how many
    /// active shards to how many.
    case shardChange(from: Int, to: Int)
    case placement(PlacementSnapshot)

    public func notes() throws -> [Note] {
        guard case .notes(let notes) = self else { throw mismatch("a list of notes") }
        return notes
    }

    public func note() throws -> Note? {
        guard case .note(let note) = self else { throw mismatch("a note or nothing") }
        return note
    }

    public func count() throws -> Int {
        guard case .count(let count) = self else { throw mismatch("a count") }
        return count
    }

    public func done() throws {
        guard case .done = self else { throw mismatch("no result") }
    }

    public func shardChange() throws -> (from: Int, to: Int) {
        guard case .shardChange(let from, let to) = self else { throw mismatch("a shard change") }
        return (from, to)
    }

    public func placement() throws -> PlacementSnapshot {
        guard case .placement(let placement) = self else { throw mismatch("a placement") }
        return placement
    }

    private func mismatch(_ expected: String) -> StoreError {
        .unavailable("the store answered \(self) where \(expected) was expected")
    }
}
