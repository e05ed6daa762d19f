import Foundation

/// One shard of notes on its engine (`ShardEngine`). The store's rules are written once over
/// it: the calls of one shard (the `NoteStore` extension below), the lock order of writes and
/// moves (`ShardLocks`), the rows' rules (`NoteRows`). An engine supplies the rows' SQL
/// (`ShardRows`), a way to read them, and write transactions under the shard's write lock.
protocol NoteShard: NoteStore {
    var index: Int { get }
    var engine: ShardEngine { get }
    /// Runs `body` on the shard's rows outside any write transaction: each statement sees what
    /// was committed when it ran.
    func reading<T: Sendable>(deadline: Date?, _ body: (any ShardRows) throws -> T) async throws -> T
    /// Lends what this shard's write transactions run on (for PostgreSQL a pooled connection,
    /// leased within `deadline`) for as long as `body` runs.
    func withWriter<T: Sendable>(deadline: Date?, _ body: (any ShardWriter) async throws -> T) async throws -> T
    func close() throws
}

/// What one shard's write transactions run on, lent by `NoteShard.withWriter`.
protocol ShardWriter {
    var index: Int { get }
    /// Runs `body` in a transaction that holds the shard's write lock from its start — waiting
    /// for it no longer than `deadline` — committed when `body` returns unless `body` committed
    /// it (`HeldShard.commit`), rolled back when anything throws.
    func transaction<T>(deadline: Date?, _ body: (HeldShard) throws -> T) throws -> T
}

/// One shard's open write transaction, inside `ShardWriter.transaction`.
struct HeldShard {
    let rows: any ShardRows
    /// Commits now, before the others held (a move's target before its home).
    let commit: () throws -> Void
}

extension NoteShard {
    var name: String { ShardRouter.shardName(index) }

    func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        try await perform(call, deadline: nil)
    }

    /// The calls of this shard alone (the sharded store routes each account's to its home).
    func perform(_ call: NoteStoreCall, deadline: Date?) async throws -> NoteStoreAnswer {
        switch call {
        case .listNotes(let accountId, let limit, let after):
            if let limit, limit < 1 { throw StoreError.invalidInput("limit must be at least 1, got \(limit)") }
            return .notes(try await reading(deadline: deadline) { rows in
                guard let after else { return try rows.notes(of: accountId, after: nil, limit: limit) }
                guard let cursor = try rows.key(of: after, of: accountId) else {
                    throw StoreError.invalidInput("after: \(after.uuidText) is not a note of account \(accountId.uuidText)")
                }
                return try rows.notes(of: accountId, after: cursor, limit: limit)
            })
        case .getNote(let accountId, let noteId):
            return .note(try await reading(deadline: deadline) { rows in try rows.note(id: noteId, of: accountId) })
        case .createNote(let accountId, let note):
            try await write(.create(note), of: accountId, deadline: deadline)
        case .updateNote(let accountId, let note):
            try await write(.update(note), of: accountId, deadline: deadline)
        case .deleteNote(let accountId, let note):
            try await write(.delete(note), of: accountId, deadline: deadline)
        case .countNotes(let accountId):
            return .count(try await reading(deadline: deadline) { rows in try rows.count(of: accountId) })
        case .totalNotes:
            return .count(try await reading(deadline: deadline) { rows in try rows.totalCount() })
        case .healthCheck:
            _ = try await reading(deadline: deadline) { rows in try rows.totalCount() }
        case .moveAccount, .growShards, .drainShard, .migrateShards, .stepPlacement, .describePlacement:
            throw StoreError.invalidInput("\(call.operation.rawValue) needs a sharded store with a placement database")
        }
        return .done
    }

    /// Applies one write in a transaction of its own, its lock wait bounded by `deadline`.
    func write(_ write: NoteWrite, of accountId: UUID, deadline: Date? = nil) async throws {
        try await mappingErrors(shard: name) {
            try await ShardLocks.withWriteLocks(on: [self], deadline: deadline) { held in
                try NoteRows.apply(write, of: accountId, in: held[index])
            }
        }
    }
}
