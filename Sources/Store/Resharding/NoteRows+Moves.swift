import Foundation
import GRDB

/// The SQL the moves need (`ShardedNoteStore+Moves`): an account's rows — notes and tombstones —
/// copied from one shard file to another, range by range, and removed from the old one. Inside
/// transactions the caller holds on both files (`ShardLocks`).
extension NoteRows {
    /// Makes the target's row and tombstone of one note what the source's are now.
    static func copyNote(id: UUID, of accountId: UUID, from source: Database, to target: Database) throws {
        if let note = try noteRow(id: id, creator: accountId, in: source) {
            try put(note, in: target)
        } else {
            try target.cachedStatement(sql: "DELETE FROM note WHERE creator = ? AND id = ?")
                .execute(arguments: [accountId.storageText, id.storageText])
        }
        try target.cachedStatement(sql: "DELETE FROM tombstone WHERE creator = ? AND id = ?")
            .execute(arguments: [accountId.storageText, id.storageText])
        try copyTombstones(Row.fetchAll(source.cachedStatement(sql: "SELECT \(tombstoneColumns) FROM tombstone WHERE creator = ? AND id = ?"),
                                        arguments: [accountId.storageText, id.storageText]), to: target)
    }

    /// Makes the target's tombstones of an account exactly the source's.
    static func copyTombstones(of accountId: UUID, from source: Database, to target: Database) throws {
        try target.cachedStatement(sql: "DELETE FROM tombstone WHERE creator = ?").execute(arguments: [accountId.storageText])
        try copyTombstones(Row.fetchAll(source.cachedStatement(sql: "SELECT \(tombstoneColumns) FROM tombstone WHERE creator = ?"),
                                        arguments: [accountId.storageText]), to: target)
    }

    private static func copyTombstones(_ rows: [Row], to target: Database) throws {
        let insert = try target.cachedStatement(sql: "INSERT OR REPLACE INTO tombstone(\(tombstoneColumns)) VALUES (?, ?, ?, ?)")
        for row in rows {
            try insert.execute(arguments: [row[0] as String, row[1] as String, row[2] as Int64, row[3] as Int64])
        }
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

    /// Deletes up to `limit` of an account's rows — notes first, then tombstones; returns how
    /// many went (0: none are left).
    static func deleteSomeRows(of creator: UUID, limit: Int, in db: Database) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM note WHERE rowid IN (SELECT rowid FROM note WHERE creator = ? LIMIT ?)")
            .execute(arguments: [creator.storageText, limit])
        if db.changesCount > 0 { return db.changesCount }
        try db.cachedStatement(sql: "DELETE FROM tombstone WHERE rowid IN (SELECT rowid FROM tombstone WHERE creator = ? LIMIT ?)")
            .execute(arguments: [creator.storageText, limit])
        return db.changesCount
    }

    static func count(of creator: UUID, in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM note WHERE creator = ?"), arguments: [creator.storageText]) ?? 0
    }

    /// The accounts that have rows in this file: notes, or tombstones of deleted ones (which
    /// must move with the account, or a create sent again could bring a deleted note back).
    static func accountsWithRows(in db: Database) throws -> [UUID] {
        try String.fetchAll(db, sql: "SELECT creator FROM note UNION SELECT creator FROM tombstone").compactMap(UUIDText.parse)
    }
}
