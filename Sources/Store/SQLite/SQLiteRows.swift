import Foundation
import GRDB

/// A shard's rows in a SQLite file (`ShardRows`), on a connection the caller holds: in a write
/// transaction (`ShardLocks`), or alone for a read, which SQLite runs on one snapshot per
/// statement. Statements are cached per connection: preparing one costs more than running it.
struct SQLiteRows: ShardRows {
    let db: Database

    static let columns = "id, creator, createdAtMs, updatedAtMs, content"

    func note(id: UUID, of creator: UUID) throws -> Note? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns) FROM note WHERE creator = ? AND id = ?"),
                         arguments: [creator.storageText, id.storageText]).map(Self.note)
    }

    func notes(of creator: UUID, after key: NoteKey?, limit: Int?) throws -> [Note] {
        guard let key else {
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.columns) FROM note WHERE creator = ? ORDER BY createdAtMs, id LIMIT ?"),
                                    arguments: [creator.storageText, limit ?? -1]).map(Self.note)
        }
        return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.columns) FROM note WHERE creator = ? "
                                                        + "AND (createdAtMs > ? OR (createdAtMs = ? AND id > ?)) ORDER BY createdAtMs, id LIMIT ?"),
                                arguments: [creator.storageText, key.createdAtMs, key.createdAtMs, key.id, limit ?? -1]).map(Self.note)
    }

    func key(of id: UUID, of creator: UUID) throws -> NoteKey? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT createdAtMs FROM note WHERE creator = ? AND id = ?"),
                           arguments: [creator.storageText, id.storageText])
            .map { NoteKey(createdAtMs: $0, id: id.storageText) }
    }

    func count(of creator: UUID) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM note WHERE creator = ?"), arguments: [creator.storageText]) ?? 0
    }

    func totalCount() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM note")) ?? 0
    }

    func put(_ note: Note) throws {
        try db.cachedStatement(sql: """
            INSERT INTO note(id, creator, createdAtMs, updatedAtMs, content) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(creator, id) DO UPDATE SET createdAtMs = excluded.createdAtMs, updatedAtMs = excluded.updatedAtMs,
            content = excluded.content
            """).execute(arguments: [note.id.storageText, note.creator.storageText,
                                     Timestamp.milliseconds(note.createdAt), Timestamp.milliseconds(note.updatedAt),
                                     StoredText.value(note.content)])
    }

    /// SQLite is in this process: one cached statement a note costs about what a multi-row
    /// statement would.
    func putAll(_ notes: [Note]) throws {
        for note in notes { try put(note) }
    }

    func updateIfNewer(_ note: Note) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE note SET content = ?, updatedAtMs = ? WHERE creator = ? AND id = ? AND updatedAtMs < ?")
            .execute(arguments: [StoredText.value(note.content), Timestamp.milliseconds(note.updatedAt),
                                 note.creator.storageText, note.id.storageText, Timestamp.milliseconds(note.updatedAt)])
        return db.changesCount > 0
    }

    func deleteNote(id: UUID, of creator: UUID) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM note WHERE creator = ? AND id = ?").execute(arguments: [creator.storageText, id.storageText])
        return db.changesCount > 0
    }

    func deleteNotes(of creator: UUID, after from: NoteKey?, through: NoteKey?) throws {
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

    func deleteSomeRows(of creator: UUID, limit: Int) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM note WHERE rowid IN (SELECT rowid FROM note WHERE creator = ? LIMIT ?)")
            .execute(arguments: [creator.storageText, limit])
        let notes = db.changesCount
        guard notes < limit else { return notes }
        try db.cachedStatement(sql: "DELETE FROM tombstone WHERE rowid IN (SELECT rowid FROM tombstone WHERE creator = ? LIMIT ?)")
            .execute(arguments: [creator.storageText, limit - notes])
        return notes + db.changesCount
    }

    func tombstones(of creator: UUID, id: UUID?) throws -> [Tombstone] {
        let columns = "creator, id, createdAtMs, deletedAtMs"
        let rows = if let id {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(columns) FROM tombstone WHERE creator = ? AND id = ?"),
                             arguments: [creator.storageText, id.storageText])
        } else {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(columns) FROM tombstone WHERE creator = ?"), arguments: [creator.storageText])
        }
        return rows.compactMap { row in
            guard let creator = UUIDText.parse(row[0]), let id = UUIDText.parse(row[1]) else { return nil }
            return Tombstone(creator: creator, id: id, createdAtMs: row[2], deletedAtMs: row[3])
        }
    }

    func deleteTombstones(of creator: UUID, id: UUID?) throws {
        if let id {
            try db.cachedStatement(sql: "DELETE FROM tombstone WHERE creator = ? AND id = ?").execute(arguments: [creator.storageText, id.storageText])
        } else {
            try db.cachedStatement(sql: "DELETE FROM tombstone WHERE creator = ?").execute(arguments: [creator.storageText])
        }
    }

    func putTombstone(_ tombstone: Tombstone) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO tombstone(creator, id, createdAtMs, deletedAtMs) VALUES (?, ?, ?, ?)")
            .execute(arguments: [tombstone.creator.storageText, tombstone.id.storageText, tombstone.createdAtMs, tombstone.deletedAtMs])
    }

    func pruneTombstones(deletedBefore milliseconds: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM tombstone WHERE deletedAtMs < ?").execute(arguments: [milliseconds])
    }

    func accountsWithRows() throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT creator, COUNT(*) FROM note GROUP BY creator
            UNION ALL SELECT DISTINCT creator, 0 FROM tombstone
            """) {
            guard let creator = UUIDText.parse(row[0]) else { continue }
            counts[creator] = max(counts[creator] ?? 0, row[1] as Int)
        }
        return counts
    }

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
