import Foundation
import GRDB

/// The SQL of one shard file's tables — `note`, and `tombstone` for deleted notes — inside a
/// transaction the caller holds. `SQLiteNoteShard` runs the calls of one shard with it; what
/// only the moves need to carry an account's rows from file to file is `NoteRows+Moves`.
///
/// The rules that make a write safe to send again (docs/DEPLOYMENTS.md, "Faults") live here:
/// - a create sent again finds its note — or, if the note was deleted since, its tombstone —
///   and succeeds changing nothing, so a retry never resurrects a deleted note;
/// - an update replaces a row only when its `updatedAt` is strictly newer, so a retry of an
///   older update (or one stamped the same) never overwrites what replaced it;
/// - a delete leaves a tombstone, kept `tombstoneRetention` — far past the longest retry
///   window (a call's 8 s deadline) — and moved with its account.
enum NoteRows {
    /// How long a deleted note's tombstone is kept.
    static let tombstoneRetention: TimeInterval = 3600

    /// Applies one write of `accountId`'s notes.
    static func apply(_ write: NoteWrite, of accountId: UUID, in db: Database) throws {
        switch write {
        case .create(let note):
            try validate(note, accountId: accountId)
            try insert(note, in: db)
        case .update(let note):
            try validate(note, accountId: accountId)
            try update(note, in: db)
        case .delete(let note):
            guard note.creator == accountId else { throw StoreError.noteNotFound(note.id) }
            try delete(creator: accountId, id: note.id, in: db)
        }
    }

    private static func validate(_ note: Note, accountId: UUID) throws {
        guard note.creator == accountId else {
            throw StoreError.invalidInput("note.creator \(note.creator.uuidText) is not the account \(accountId.uuidText)")
        }
        try StoreLimits.validateContent(note.content)
    }

    /// A create sent again is known by its account, id and creation time: the note is there
    /// (maybe edited since), or its tombstone is — both the success the first try was. Another
    /// note under an id the account has used is a conflict.
    private static func insert(_ note: Note, in db: Database) throws {
        let createdAtMs = Timestamp.milliseconds(note.createdAt)
        let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM note WHERE creator = ? AND id = ?"),
                                          arguments: [note.creator.storageText, note.id.storageText])
            ?? Int64.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM tombstone WHERE creator = ? AND id = ?"),
                              arguments: [note.creator.storageText, note.id.storageText])
        if let existing {
            if existing == createdAtMs { return }
            throw StoreError.noteAlreadyExists(note.id)
        }
        try put(note, in: db)
    }

    /// Last write wins, by `updatedAt`, strictly: an update not newer than the stored note is
    /// acknowledged and dropped. Callers stamp an edit strictly after the note they edit
    /// (`Note.edited`), so a newer edit always gets through.
    private static func update(_ note: Note, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE note SET content = ?, updatedAtMs = ? WHERE creator = ? AND id = ? AND updatedAtMs < ?")
            .execute(arguments: [StoredText.value(note.content), Timestamp.milliseconds(note.updatedAt),
                                 note.creator.storageText, note.id.storageText, Timestamp.milliseconds(note.updatedAt)])
        if db.changesCount > 0 { return }
        if try noteRow(id: note.id, creator: note.creator, in: db) == nil { throw StoreError.noteNotFound(note.id) }
    }

    /// Deletes the note and leaves its tombstone; tombstones past their retention go.
    private static func delete(creator: UUID, id: UUID, in db: Database) throws {
        guard let createdAtMs = try Int64.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM note WHERE creator = ? AND id = ?"),
                                                   arguments: [creator.storageText, id.storageText]) else {
            throw StoreError.noteNotFound(id)
        }
        try db.cachedStatement(sql: "DELETE FROM note WHERE creator = ? AND id = ?").execute(arguments: [creator.storageText, id.storageText])
        let now = Timestamp.milliseconds(Date())
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO tombstone(creator, id, createdAtMs, deletedAtMs) VALUES (?, ?, ?, ?)")
            .execute(arguments: [creator.storageText, id.storageText, createdAtMs, now])
        try db.cachedStatement(sql: "DELETE FROM tombstone WHERE deletedAtMs < ?")
            .execute(arguments: [now - Int64(tombstoneRetention * 1000)])
    }

    // MARK: Rows as they are

    /// Writes a note's row as it is, over the account's row with its id: a copy, not a create.
    static func put(_ note: Note, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO note(id, creator, createdAtMs, updatedAtMs, content) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(creator, id) DO UPDATE SET createdAtMs = excluded.createdAtMs, updatedAtMs = excluded.updatedAtMs,
            content = excluded.content
            """).execute(arguments: [note.id.storageText, note.creator.storageText,
                                     Timestamp.milliseconds(note.createdAt), Timestamp.milliseconds(note.updatedAt),
                                     StoredText.value(note.content)])
    }

    /// One note of an account as this file has it now.
    static func noteRow(id: UUID, creator: UUID, in db: Database) throws -> Note? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM note WHERE creator = ? AND id = ?"),
                         arguments: [creator.storageText, id.storageText]).map(note)
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

    static let columns = "id, creator, createdAtMs, updatedAtMs, content"
    static let tombstoneColumns = "creator, id, createdAtMs, deletedAtMs"

    /// Reads a row of `SELECT \(columns)` by position: a lookup by column name folds case on
    /// every call.
    static func note(_ row: Row) throws -> Note {
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
