import Foundation

/// Where notes live. The SQLite shards, the proxy client and the deployment controller all
/// speak it, so the REST API and the dashboard never care which one they hold.
///
/// A conformer implements one method, `perform(_:)`: a store that only forwards (a proxy
/// client, the controller, a test's fault injector) handles every operation in one place,
/// and an operation or a parameter added to `NoteStoreCall` reaches all of them at once.
/// The typed methods callers use come from the extension below.
public protocol NoteStore: Sendable {
    func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer
}

extension NoteStore {
    public func listNotes(accountId: UUID, limit: Int? = nil, after: UUID? = nil) async throws -> [Note] {
        try await perform(.listNotes(accountId: accountId, limit: limit, after: after)).notes()
    }

    public func getNote(accountId: UUID, noteId: UUID) async throws -> Note? {
        try await perform(.getNote(accountId: accountId, noteId: noteId)).note()
    }

    public func createNote(accountId: UUID, note: Note) async throws {
        try await perform(.createNote(accountId: accountId, note: note)).done()
    }

    public func updateNote(accountId: UUID, note: Note) async throws {
        try await perform(.updateNote(accountId: accountId, note: note)).done()
    }

    public func deleteNote(accountId: UUID, note: Note) async throws {
        try await perform(.deleteNote(accountId: accountId, note: note)).done()
    }

    public func countNotes(accountId: UUID) async throws -> Int {
        try await perform(.countNotes(accountId: accountId)).count()
    }

    public func totalNotes() async throws -> Int {
        try await perform(.totalNotes).count()
    }

    public func healthCheck() async throws {
        try await perform(.healthCheck).done()
    }

    /// Queues a move of the account's notes to `shard`; answers the shard it leaves.
    @discardableResult
    public func moveAccount(_ accountId: UUID, toShard shard: Int) async throws -> (from: Int, to: Int) {
        try await perform(.moveAccount(accountId: accountId, toShard: shard)).shardChange()
    }

    @discardableResult
    public func growShards(to count: Int, engine: ShardEngine? = nil) async throws -> (from: Int, to: Int) {
        try await perform(.growShards(count: count, engine: engine)).shardChange()
    }

    @discardableResult
    public func drainShard(_ index: Int) async throws -> (from: Int, to: Int) {
        try await perform(.drainShard(index: index)).shardChange()
    }

    public func migrateShards(to engine: ShardEngine) async throws -> (from: Int, to: Int) {
        try await perform(.migrateShards(engine: engine)).shardChange()
    }

    /// One step of the queued moves, of up to `batch` notes; the answer's `notesPerShard` is
    /// empty (`describePlacement` counts them).
    public func stepPlacement(batch: Int? = nil) async throws -> PlacementSnapshot {
        try await perform(.stepPlacement(batch: batch)).placement()
    }

    public func describePlacement() async throws -> PlacementSnapshot {
        try await perform(.describePlacement).placement()
    }
}
