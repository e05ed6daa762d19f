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

    /// `shardCount` is recorded in a new file (the count the data dir was made with, which
    /// `PlacementDatabase` adopts for a data dir from before placement existed); an existing
    /// file keeps what it has.
    init(url: URL, index: Int, shardCount: Int, durability: Durability = .default) throws {
        name = ShardRouter.shardName(index)
        pool = try DatabasePool(path: url.path, configuration: DataDirectory.configuration(label: name))
        try durability.apply(to: pool)
        try Self.migrator(index: index, shardCount: shardCount).migrate(pool)
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
        case .createNote, .updateNote, .deleteNote:
            try await write { db in try Self.applyWrite(call, in: db) }
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

    /// Runs `body` in a write transaction (IMMEDIATE: it holds this file's write lock from the
    /// start), mapping SQLite's errors.
    func write<T>(_ body: (Database) throws -> T) async throws -> T {
        try await mappingErrors(shard: name) { try pool.write(body) }
    }

    /// The SQL of a create, update or delete, inside a write transaction the caller holds.
    static func applyWrite(_ call: NoteStoreCall, in db: Database) throws {
        switch call {
        case .createNote(let accountId, let note):
            try validate(note, accountId: accountId)
            try insert(note, in: db)
        case .updateNote(let accountId, let note):
            try validate(note, accountId: accountId)
            try update(note, in: db)
        case .deleteNote(let accountId, let note):
            guard note.creator == accountId else { throw StoreError.noteNotFound(note.id) }
            try delete(creator: accountId, id: note.id, in: db)
        default:
            preconditionFailure("\(call.operation.rawValue) is not a write")
        }
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
                return try pool.unsafeRead { db in try Self.notes(of: creator, after: nil, limit: limit ?? -1, in: db) }
            }
            return try pool.read { db in
                guard let cursor = try Row.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM note WHERE id = ? AND creator = ?"),
                                                    arguments: [after.storageText, creator.storageText]) else {
                    throw StoreError.invalidInput("after: \(after.uuidText) is not a note of account \(creator.uuidText)")
                }
                return try Self.notes(of: creator, after: NoteKey(createdAtMs: cursor[0], id: after.storageText), limit: limit ?? -1, in: db)
            }
        }
    }

    func get(creator: UUID, id: UUID) async throws -> Note? {
        try await mappingErrors(shard: name) {
            try pool.unsafeRead { db in
                try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns) FROM note WHERE id = ? AND creator = ?"),
                                 arguments: [id.storageText, creator.storageText]).map(Self.note)
            }
        }
    }

    /// Creating the same note again (same id, account, creation time and text — a retry whose
    /// first try landed) succeeds and changes nothing; another note under a taken id is a conflict.
    private static func insert(_ note: Note, in db: Database) throws {
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
        try put(note, in: db)
    }

    /// Writes a note's row as it is, over the row with its id: a copy, not a create. A row of
    /// another account under that id stays, and the copy fails.
    static func put(_ note: Note, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO note(id, creator, createdAtMs, updatedAtMs, content) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET createdAtMs = excluded.createdAtMs, updatedAtMs = excluded.updatedAtMs,
            content = excluded.content WHERE creator = excluded.creator
            """).execute(arguments: [note.id.storageText, note.creator.storageText,
                                     Timestamp.milliseconds(note.createdAt), Timestamp.milliseconds(note.updatedAt),
                                     StoredText.value(note.content)])
        if db.changesCount == 0 { throw StoreError.noteAlreadyExists(note.id) }
    }

    /// Last write wins, by `updatedAt`: an update older than the stored note is acknowledged
    /// and dropped, so a retried or late update can never overwrite a newer one. The same
    /// update again (a retry) applies the same text again.
    private static func update(_ note: Note, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE note SET content = ?, updatedAtMs = ? WHERE id = ? AND creator = ? AND updatedAtMs <= ?")
            .execute(arguments: [StoredText.value(note.content), Timestamp.milliseconds(note.updatedAt),
                                 note.id.storageText, note.creator.storageText,
                                 Timestamp.milliseconds(note.updatedAt)])
        if db.changesCount > 0 { return }
        if try noteRow(id: note.id, creator: note.creator, in: db) == nil { throw StoreError.noteNotFound(note.id) }
    }

    private static func delete(creator: UUID, id: UUID, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM note WHERE id = ? AND creator = ?")
            .execute(arguments: [id.storageText, creator.storageText])
        if db.changesCount == 0 { throw StoreError.noteNotFound(id) }
    }

    /// One note of an account as this file has it now (inside the caller's transaction).
    static func noteRow(id: UUID, creator: UUID, in db: Database) throws -> Note? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM note WHERE id = ? AND creator = ?"),
                         arguments: [id.storageText, creator.storageText]).map(note)
    }

    /// An account's notes after `key` in list order (all of them after nil), at most `limit`
    /// (-1: no limit).
    static func notes(of creator: UUID, after key: NoteKey?, limit: Int, in db: Database) throws -> [Note] {
        guard let key else {
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(columns) FROM note WHERE creator = ? ORDER BY createdAtMs, id LIMIT ?"),
                                    arguments: [creator.storageText, limit]).map(note)
        }
        return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(columns) FROM note WHERE creator = ? "
                                                        + "AND (createdAtMs > ? OR (createdAtMs = ? AND id > ?)) ORDER BY createdAtMs, id LIMIT ?"),
                                arguments: [creator.storageText, key.createdAtMs, key.createdAtMs, key.id, limit]).map(note)
    }

    /// Deletes an account's notes after `from` and up to `through` in list order (nil: no bound).
    static func deleteNotes(of creator: UUID, after from: NoteKey?, through: NoteKey?, in db: Database) throws {
        var sql = "DELETE FROM note WHERE creator = ?"
        var arguments: StatementArguments = [creator.storageText]
        if let from {
            sql += " AND (createdAtMs > ? OR (createdAtMs = ? AND id > ?))"
            arguments += [from.createdAtMs, from.createdAtMs, from.id]
        }
        if let through {
            sql += " AND (createdAtMs < ? OR (createdAtMs = ? AND id <= ?))"
            arguments += [through.createdAtMs, through.createdAtMs, through.id]
        }
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Deletes one note of an account, if it is there.
    static func deleteNotes(of creator: UUID, id: UUID, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM note WHERE id = ? AND creator = ?").execute(arguments: [id.storageText, creator.storageText])
    }

    /// Deletes up to `limit` of an account's notes; returns how many went.
    static func deleteSomeNotes(of creator: UUID, limit: Int, in db: Database) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM note WHERE rowid IN (SELECT rowid FROM note WHERE creator = ? LIMIT ?)")
            .execute(arguments: [creator.storageText, limit])
        return db.changesCount
    }

    static func count(of creator: UUID, in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM note WHERE creator = ?"), arguments: [creator.storageText]) ?? 0
    }

    /// The accounts that have notes in this file.
    static func creators(in db: Database) throws -> [UUID] {
        try String.fetchAll(db, sql: "SELECT DISTINCT creator FROM note").compactMap(UUIDText.parse)
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

    private static let columns = "id, creator, createdAtMs, updatedAtMs, content"

    /// Reads a row of `SELECT \(columns)` by position: a lookup by column name folds case on
    /// every call.
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

/// A note's place in an account's list order (creation time, then id): where a move's copy
/// has got to. `id` is the key as stored (upper case).
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
