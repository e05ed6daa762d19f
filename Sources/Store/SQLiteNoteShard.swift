import Foundation
import GRDB

/// One shard file of notes. Every write is an IMMEDIATE transaction under a busy timeout, so
/// two proxies on the same file (as during a rollout) queue on SQLite's lock and lose nothing.
///
/// Database calls are synchronous on the caller's thread: a short SQLite call costs far less
/// than two hops through GRDB's async queues (BENCHMARKS.md: direct store 31k → 69k ops/s).
/// The longest it can block is the busy timeout, while the other proxy holds the write lock.
/// Every read is one SELECT, which SQLite already runs on one snapshot, so reads skip GRDB's
/// wrapping transaction (`unsafeRead`: two statements fewer per read).
///
/// It is a whole `NoteStore` on its own: `perform` is the one place each operation's real code
/// lives, rules included (a note belongs to the account it is filed under; content limit).
struct SQLiteNoteShard: NoteStore {
    let name: String
    let pool: DatabasePool

    init(url: URL, index: Int, shardCount: Int, durability: Durability = .default) throws {
        name = ShardRouter.shardName(index)
        pool = try DatabasePool(path: url.path, configuration: DataDirectory.configuration(label: name))
        try durability.apply(to: pool)
        try Self.migrator(index: index, shardCount: shardCount).migrate(pool)
        try Self.checkShardCount(pool, url: url, requested: shardCount)
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
        return migrator
    }

    private static func checkShardCount(_ pool: DatabasePool, url: URL, requested: Int) throws {
        let stored = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'shardCount'").flatMap { Int($0) }
        }
        if let stored, stored != requested {
            throw StoreError.shardCountMismatch(dataDir: url.deletingLastPathComponent().path, stored: stored, requested: requested)
        }
    }

    func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        switch call {
        case .listNotes(let accountId, let limit, let after):
            return .notes(try await list(creator: accountId, limit: limit, after: after))
        case .getNote(let accountId, let noteId):
            return .note(try await get(creator: accountId, id: noteId))
        case .createNote(let accountId, let note):
            try Self.validate(note, accountId: accountId)
            try await insert(note)
        case .updateNote(let accountId, let note):
            try Self.validate(note, accountId: accountId)
            try await update(note)
        case .deleteNote(let accountId, let note):
            guard note.creator == accountId else { throw StoreError.noteNotFound(note.id) }
            try await delete(creator: accountId, id: note.id)
        case .countNotes(let accountId):
            return .count(try await count(creator: accountId))
        case .totalNotes:
            return .count(try await total())
        case .healthCheck:
            try await healthCheck()
        }
        return .done
    }

    private static func validate(_ note: Note, accountId: UUID) throws {
        guard note.creator == accountId else {
            throw StoreError.invalidInput("note.creator \(note.creator.uuidText) is not the account \(accountId.uuidText)")
        }
        try StoreLimits.validateContent(note.content)
    }

    /// Oldest first — by creation time, then id, an order every shard and every copy of a
    /// note agrees on — all of them, or `limit` after the note `after`.
    func list(creator: UUID, limit: Int? = nil, after: UUID? = nil) async throws -> [Note] {
        if let limit, limit < 1 { throw StoreError.invalidInput("limit must be at least 1, got \(limit)") }
        return try await mappingErrors(shard: name) {
            guard let after else {
                return try pool.unsafeRead { db in
                    try Row.fetchAll(db.cachedStatement(sql: "SELECT id, creator, createdAtMs, updatedAtMs, content FROM note WHERE creator = ? "
                                                             + "ORDER BY createdAtMs, id LIMIT ?"),
                                     arguments: [creator.storageText, limit ?? -1]).map(Self.note)
                }
            }
            return try pool.read { db in
                guard let cursor = try Row.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM note WHERE id = ? AND creator = ?"),
                                                    arguments: [after.storageText, creator.storageText]) else {
                    throw StoreError.invalidInput("after: \(after.uuidText) is not a note of account \(creator.uuidText)")
                }
                let createdAtMs: Int64 = cursor[0]
                return try Row.fetchAll(db.cachedStatement(sql: "SELECT id, creator, createdAtMs, updatedAtMs, content FROM note WHERE creator = ? "
                                                                + "AND (createdAtMs > ? OR (createdAtMs = ? AND id > ?)) ORDER BY createdAtMs, id LIMIT ?"),
                                        arguments: [creator.storageText, createdAtMs, createdAtMs, after.storageText, limit ?? -1]).map(Self.note)
            }
        }
    }

    func get(creator: UUID, id: UUID) async throws -> Note? {
        try await mappingErrors(shard: name) {
            try pool.unsafeRead { db in
                try Row.fetchOne(db.cachedStatement(sql: "SELECT id, creator, createdAtMs, updatedAtMs, content FROM note WHERE id = ? AND creator = ?"),
                                 arguments: [id.storageText, creator.storageText]).map(Self.note)
            }
        }
    }

    /// Creating the same note again (same id, account, creation time and text — a retry whose
    /// first try landed) succeeds and changes nothing; another note under a taken id is a conflict.
    func insert(_ note: Note) async throws {
        try await mappingErrors(shard: name) {
            try pool.write { db in
                let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT creator, createdAtMs, content FROM note WHERE id = ?"),
                                                arguments: [note.id.storageText])
                if let existing {
                    let creator: String = existing[0]
                    let createdAtMs: Int64 = existing[1]
                    let content = StoredText.read(existing, 2)
                    if UUIDText.parse(creator) == note.creator, createdAtMs == Timestamp.milliseconds(note.createdAt),
                       content == note.content { return }
                    throw StoreError.noteAlreadyExists(note.id)
                }
                try db.cachedStatement(sql: "INSERT INTO note(id, creator, createdAtMs, updatedAtMs, content) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [note.id.storageText, note.creator.storageText,
                                         Timestamp.milliseconds(note.createdAt), Timestamp.milliseconds(note.updatedAt),
                                         StoredText.value(note.content)])
            }
        }
    }

    /// Last write wins, by `updatedAt`: an update older than the stored note is acknowledged
    /// and dropped, so a retried or late update can never overwrite a newer one. The same
    /// update again (a retry) applies the same text again.
    func update(_ note: Note) async throws {
        try await mappingErrors(shard: name) {
            try pool.write { db in
                try db.cachedStatement(sql: "UPDATE note SET content = ?, updatedAtMs = ? WHERE id = ? AND creator = ? AND updatedAtMs <= ?")
                    .execute(arguments: [StoredText.value(note.content), Timestamp.milliseconds(note.updatedAt),
                                         note.id.storageText, note.creator.storageText,
                                         Timestamp.milliseconds(note.updatedAt)])
                if db.changesCount > 0 { return }
                let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM note WHERE id = ? AND creator = ?)"),
                                               arguments: [note.id.storageText, note.creator.storageText]) ?? false
                if !exists { throw StoreError.noteNotFound(note.id) }
            }
        }
    }

    func delete(creator: UUID, id: UUID) async throws {
        try await mappingErrors(shard: name) {
            try pool.write { db in
                try db.cachedStatement(sql: "DELETE FROM note WHERE id = ? AND creator = ?")
                    .execute(arguments: [id.storageText, creator.storageText])
                if db.changesCount == 0 { throw StoreError.noteNotFound(id) }
            }
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

    /// Reads a row of `SELECT id, creator, createdAtMs, updatedAtMs, content` by position: a
    /// lookup by column name folds case on every call.
    private static func note(_ row: Row) throws -> Note {
        guard let id = UUIDText.parse(row[0]), let creator = UUIDText.parse(row[1]) else {
            throw StoreError.unavailable("corrupt note row: bad id")
        }
        let createdAtMs: Int64 = row[2]
        let updatedAtMs: Int64 = row[3]
        return Note(id: id, creator: creator,
                    createdAt: Timestamp.date(milliseconds: createdAtMs),
                    updatedAt: Timestamp.date(milliseconds: updatedAtMs),
                    content: StoredText.read(row, 4))
    }
}
