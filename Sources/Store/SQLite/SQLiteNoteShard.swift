import Foundation
import GRDB

/// One shard file of notes. Every write is an IMMEDIATE transaction under a busy timeout no
/// longer than its call's deadline, so two proxies on the same file (as during a rollout) queue
/// on SQLite's lock and lose nothing (`ShardLocks`).
///
/// Database calls are synchronous on the caller's thread: a short SQLite call costs far less
/// than two hops through GRDB's async queues (BENCHMARKS.md: direct store 31k → 69k ops/s).
/// The longest it can block is the busy timeout, while the other proxy holds the write lock.
/// Every read is one SELECT, which SQLite already runs on one snapshot, so reads skip GRDB's
/// wrapping transaction (`unsafeRead`: two statements fewer per read).
///
/// It is a whole `NoteStore` on its own; the SQL of its tables, and the rules that make writes
/// safe to send again, are `NoteRows`.
struct SQLiteNoteShard: NoteStore {
    let index: Int
    let name: String
    let pool: DatabasePool

    /// `shardCount` is recorded in a new file (the count the data dir was made with, which
    /// `PlacementDatabase` adopts for a data dir from before placement existed); an existing
    /// file keeps what it has.
    init(url: URL, index: Int, shardCount: Int, durability: Durability = .default) throws {
        self.index = index
        name = ShardRouter.shardName(index)
        pool = try DatabasePool(path: url.path, configuration: DataDirectory.configuration(label: name))
        try durability.apply(to: pool)
        let migrator = Self.migrator(index: index, shardCount: shardCount)
        do {
            try migrator.migrate(pool)
        } catch {
            // Two processes opening a file at once (a new version beside a restarted one) can
            // both find a migration pending — GRDB reads which ran before its transaction —
            // and the second then fails on what the first made. By now it ran: one more pass
            // finds nothing to do (or fails again, for a real reason).
            try migrator.migrate(pool)
        }
    }

    private static func migrator(index: Int, shardCount: Int) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-notes") { db in
            try db.execute(sql: """
                CREATE TABLE note (
                    id TEXT PRIMARY KEY NOT NULL,
                    creator TEXT NOT NULL,
                    createdAtMs INTEGER NOT NULL,
                    updatedAtMs INTEGER NOT NULL,
                    content TEXT NOT NULL
                );
                CREATE INDEX note_creator ON note(creator, createdAtMs);
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                """)
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('shardIndex', ?), ('shardCount', ?)",
                           arguments: [String(index), String(shardCount)])
        }
        // Notes are keyed by account and id (an id a caller reused under another account no
        // longer collides when a move brings both to one file), and deletes leave tombstones.
        migrator.registerMigration("v2-account-keys-and-tombstones") { db in
            try db.execute(sql: """
                CREATE TABLE note_v2 (
                    id TEXT NOT NULL,
                    creator TEXT NOT NULL,
                    createdAtMs INTEGER NOT NULL,
                    updatedAtMs INTEGER NOT NULL,
                    content TEXT NOT NULL,
                    PRIMARY KEY (creator, id)
                );
                INSERT INTO note_v2(id, creator, createdAtMs, updatedAtMs, content)
                    SELECT id, creator, createdAtMs, updatedAtMs, content FROM note;
                DROP TABLE note;
                ALTER TABLE note_v2 RENAME TO note;
                CREATE INDEX note_creator ON note(creator, createdAtMs);
                CREATE TABLE tombstone (
                    creator TEXT NOT NULL,
                    id TEXT NOT NULL,
                    createdAtMs INTEGER NOT NULL,
                    deletedAtMs INTEGER NOT NULL,
                    PRIMARY KEY (creator, id)
                );
                CREATE INDEX tombstone_age ON tombstone(deletedAtMs);
                """)
        }
        return migrator
    }

    /// The shard count recorded in an existing shard file, or nil when there is no such file.
    static func recordedShardCount(at url: URL) throws -> Int? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let queue = try DatabaseQueue(path: url.path, configuration: DataDirectory.configuration(label: "shard-count"))
        defer { try? queue.close() }
        return try queue.read { db in
            guard try db.tableExists("meta") else { return nil }
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'shardCount'").flatMap { Int($0) }
        }
    }

    func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        switch call {
        case .listNotes(let accountId, let limit, let after):
            return .notes(try await list(creator: accountId, limit: limit, after: after))
        case .getNote(let accountId, let noteId):
            return .note(try await get(creator: accountId, id: noteId))
        case .createNote(let accountId, let note):
            try await write(.create(note), of: accountId)
        case .updateNote(let accountId, let note):
            try await write(.update(note), of: accountId)
        case .deleteNote(let accountId, let note):
            try await write(.delete(note), of: accountId)
        case .countNotes(let accountId):
            return .count(try await count(creator: accountId))
        case .totalNotes:
            return .count(try await total())
        case .healthCheck:
            try await healthCheck()
        case .moveAccount, .growShards, .stepPlacement, .describePlacement:
            throw StoreError.invalidInput("\(call.operation.rawValue) needs a sharded store with a placement database")
        }
        return .done
    }

    /// Applies one write in a transaction of its own, its lock wait bounded by `deadline`.
    func write(_ write: NoteWrite, of accountId: UUID, deadline: Date? = nil) async throws {
        try await mappingErrors(shard: name) {
            try ShardLocks.withWriteLocks(on: [self], deadline: deadline) { held in
                try NoteRows.apply(write, of: accountId, in: held[index])
            }
        }
    }

    /// Oldest first — by creation time, then id, an order every shard and every copy of a
    /// note agrees on — all of them, or `limit` after the note `after`.
    func list(creator: UUID, limit: Int? = nil, after: UUID? = nil) async throws -> [Note] {
        if let limit, limit < 1 { throw StoreError.invalidInput("limit must be at least 1, got \(limit)") }
        return try await mappingErrors(shard: name) {
            guard let after else {
                return try pool.unsafeRead { db in try NoteRows.notes(of: creator, after: nil, limit: limit ?? -1, in: db) }
            }
            return try pool.read { db in
                guard let cursor = try Row.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM note WHERE creator = ? AND id = ?"),
                                                    arguments: [creator.storageText, after.storageText]) else {
                    throw StoreError.invalidInput("after: \(after.uuidText) is not a note of account \(creator.uuidText)")
                }
                return try NoteRows.notes(of: creator, after: NoteKey(createdAtMs: cursor[0], id: after.storageText), limit: limit ?? -1, in: db)
            }
        }
    }

    func get(creator: UUID, id: UUID) async throws -> Note? {
        try await mappingErrors(shard: name) {
            try pool.unsafeRead { db in try NoteRows.noteRow(id: id, creator: creator, in: db) }
        }
    }

    func count(creator: UUID) async throws -> Int {
        try await mappingErrors(shard: name) {
            try pool.unsafeRead { db in
                try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM note WHERE creator = ?"),
                                 arguments: [creator.storageText]) ?? 0
            }
        }
    }

    func total() async throws -> Int {
        try await mappingErrors(shard: name) {
            try pool.unsafeRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM note") ?? 0 }
        }
    }

    func healthCheck() async throws {
        try await mappingErrors(shard: name) {
            _ = try pool.unsafeRead { db in try Int.fetchOne(db, sql: "SELECT 1") }
        }
    }

    func close() throws { try pool.close() }
}
