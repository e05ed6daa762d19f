import Dispatch
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A shard's rows in its PostgreSQL schema (`ShardRows`), on a connection the caller holds.
///
/// The calls block their thread until the server answers: a shard's write runs inside
/// `ShardLocks`' synchronous critical section, which may hold a SQLite file's lock beside this
/// shard's (GRDB runs a transaction in a synchronous closure), so the PostgreSQL statements in
/// it wait as SQLite's do. They never run on an event loop: the proxy's store calls have a
/// thread of their own (`StoreExecutor`), and the answer arrives on postgres-nio's loops.
/// No wait outlives `until`, the call's deadline (see `result`).
struct PostgresRows: ShardRows {
    let connection: PostgresConnection
    let schema: PostgresSchema
    let server: String
    let logger: Logger
    let until: Date

    func note(id: UUID, of creator: UUID) throws -> Note? {
        try rows("SELECT \(Self.columns) FROM \(schema.notes) WHERE creator = $1 AND id = $2", creator.storageText, id.storageText)
            .first.map(Self.note)
    }

    func notes(of creator: UUID, after key: NoteKey?, limit: Int?) throws -> [Note] {
        let limitClause = limit.map { " LIMIT \($0)" } ?? ""
        guard let key else {
            return try rows("SELECT \(Self.columns) FROM \(schema.notes) WHERE creator = $1 ORDER BY created_at_ms, id\(limitClause)",
                            creator.storageText).map(Self.note)
        }
        return try rows("SELECT \(Self.columns) FROM \(schema.notes) WHERE creator = $1 AND (created_at_ms, id) > ($2, $3) "
                        + "ORDER BY created_at_ms, id\(limitClause)", creator.storageText, key.createdAtMs, key.id).map(Self.note)
    }

    func key(of id: UUID, of creator: UUID) throws -> NoteKey? {
        try rows("SELECT created_at_ms FROM \(schema.notes) WHERE creator = $1 AND id = $2", creator.storageText, id.storageText)
            .first.map { NoteKey(createdAtMs: try $0.decode(Int64.self), id: id.storageText) }
    }

    func count(of creator: UUID) throws -> Int {
        try rows("SELECT COUNT(*) FROM \(schema.notes) WHERE creator = $1", creator.storageText).first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }

    func totalCount() throws -> Int {
        try rows("SELECT COUNT(*) FROM \(schema.notes)").first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }

    func put(_ note: Note) throws {
        try run("""
            INSERT INTO \(schema.notes) (id, creator, created_at_ms, updated_at_ms, content) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (creator, id) DO UPDATE SET created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms,
            content = excluded.content
            """, note.id.storageText, note.creator.storageText, Timestamp.milliseconds(note.createdAt),
                Timestamp.milliseconds(note.updatedAt), ByteBuffer(string: note.content))
    }

    /// One statement a batch, its rows as five arrays (`unnest`): a move's copy costs one round
    /// trip, and the server parses one short statement whatever the batch (a multi-row
    /// `VALUES` with 5 parameters a row cost about twice as much a note, measured).
    func putAll(_ notes: [Note]) throws {
        guard !notes.isEmpty else { return }
        var binds = PostgresBindings(capacity: 5)
        binds.append(notes.map(\.id.storageText))
        binds.append(notes.map(\.creator.storageText))
        binds.append(notes.map { Timestamp.milliseconds($0.createdAt) })
        binds.append(notes.map { Timestamp.milliseconds($0.updatedAt) })
        binds.append(notes.map { ByteBuffer(string: $0.content) })
        _ = try result(PostgresQuery(unsafeSQL: """
            INSERT INTO \(schema.notes) (id, creator, created_at_ms, updated_at_ms, content)
            SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::bytea[])
            ON CONFLICT (creator, id) DO UPDATE SET created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms,
            content = excluded.content
            """, binds: binds))
    }

    func updateIfNewer(_ note: Note) throws -> Bool {
        try run("UPDATE \(schema.notes) SET content = $1, updated_at_ms = $2 WHERE creator = $3 AND id = $4 AND updated_at_ms < $2",
                ByteBuffer(string: note.content), Timestamp.milliseconds(note.updatedAt), note.creator.storageText, note.id.storageText) > 0
    }

    func deleteNote(id: UUID, of creator: UUID) throws -> Bool {
        try run("DELETE FROM \(schema.notes) WHERE creator = $1 AND id = $2", creator.storageText, id.storageText) > 0
    }

    func deleteNotes(of creator: UUID, after from: NoteKey?, through: NoteKey?) throws {
        var sql = "DELETE FROM \(schema.notes) WHERE creator = $1"
        var binds = PostgresBindings()
        binds.append(creator.storageText)
        if let from {
            sql += " AND (created_at_ms, id) > ($\(binds.count + 1), $\(binds.count + 2))"
            binds.append(from.createdAtMs)
            binds.append(from.id)
        }
        if let through {
            sql += " AND (created_at_ms, id) <= ($\(binds.count + 1), $\(binds.count + 2))"
            binds.append(through.createdAtMs)
            binds.append(through.id)
        }
        _ = try result(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    func deleteSomeRows(of creator: UUID, limit: Int) throws -> Int {
        let notes = try run("DELETE FROM \(schema.notes) WHERE ctid IN (SELECT ctid FROM \(schema.notes) WHERE creator = $1 LIMIT \(limit))",
                            creator.storageText)
        guard notes < limit else { return notes }
        return notes + (try run("DELETE FROM \(schema.tombstones) WHERE ctid IN (SELECT ctid FROM \(schema.tombstones) WHERE creator = $1 LIMIT \(limit - notes))",
                                creator.storageText))
    }

    func tombstones(of creator: UUID, id: UUID?) throws -> [Tombstone] {
        let columns = "creator, id, created_at_ms, deleted_at_ms"
        let found = if let id {
            try rows("SELECT \(columns) FROM \(schema.tombstones) WHERE creator = $1 AND id = $2", creator.storageText, id.storageText)
        } else {
            try rows("SELECT \(columns) FROM \(schema.tombstones) WHERE creator = $1", creator.storageText)
        }
        return try found.compactMap { row in
            let (creator, id, createdAtMs, deletedAtMs) = try row.decode((String, String, Int64, Int64).self)
            guard let creator = UUIDText.parse(creator), let id = UUIDText.parse(id) else { return nil }
            return Tombstone(creator: creator, id: id, createdAtMs: createdAtMs, deletedAtMs: deletedAtMs)
        }
    }

    func deleteTombstones(of creator: UUID, id: UUID?) throws {
        if let id {
            try run("DELETE FROM \(schema.tombstones) WHERE creator = $1 AND id = $2", creator.storageText, id.storageText)
        } else {
            try run("DELETE FROM \(schema.tombstones) WHERE creator = $1", creator.storageText)
        }
    }

    func putTombstone(_ tombstone: Tombstone) throws {
        try run("""
            INSERT INTO \(schema.tombstones) (creator, id, created_at_ms, deleted_at_ms) VALUES ($1, $2, $3, $4)
            ON CONFLICT (creator, id) DO UPDATE SET created_at_ms = excluded.created_at_ms, deleted_at_ms = excluded.deleted_at_ms
            """, tombstone.creator.storageText, tombstone.id.storageText, tombstone.createdAtMs, tombstone.deletedAtMs)
    }

    func pruneTombstones(deletedBefore milliseconds: Int64) throws {
        try run("DELETE FROM \(schema.tombstones) WHERE deleted_at_ms < $1", milliseconds)
    }

    func accountsWithRows() throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for row in try rows("""
            SELECT creator, COUNT(*) FROM \(schema.notes) GROUP BY creator
            UNION ALL SELECT DISTINCT creator, 0 FROM \(schema.tombstones)
            """) {
            let (creator, count) = try row.decode((String, Int64).self)
            guard let id = UUIDText.parse(creator) else { continue }
            counts[id] = max(counts[id] ?? 0, Int(count))
        }
        return counts
    }

    // MARK: Statements

    static let columns = "id, creator, created_at_ms, updated_at_ms, content"

    /// How much earlier than the deadline the server's own timeouts end: time for their answer
    /// to come back first (100 ms was not always enough with every test suite running at once).
    static let serverTimeoutLead: TimeInterval = 0.5

    static func note(_ row: PostgresRow) throws -> Note {
        let (id, creator, createdAtMs, updatedAtMs, content) = try row.decode((String, String, Int64, Int64, ByteBuffer).self)
        guard let id = UUIDText.parse(id), let creator = UUIDText.parse(creator) else {
            throw StoreError.unavailable("corrupt note row: bad id")
        }
        return Note(id: id, creator: creator,
                    createdAt: Timestamp.date(milliseconds: createdAtMs), updatedAt: Timestamp.date(milliseconds: updatedAtMs),
                    content: String(buffer: content))
    }

    func rows(_ sql: String, _ values: any PostgresEncodable & Sendable...) throws -> [PostgresRow] {
        try result(try query(sql, values)).rows
    }

    /// Runs a statement; answers the rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: any PostgresEncodable & Sendable...) throws -> Int {
        try result(try query(sql, values)).metadata.rows ?? 0
    }

    private func query(_ sql: String, _ values: [any PostgresEncodable & Sendable]) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { try binds.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Bounds the open transaction's lock waits and statements by the time left until `until`
    /// (`lock_timeout` and `statement_timeout`, for this transaction only), less
    /// `serverTimeoutLead` (or half the time left, when less than twice that is left): the
    /// server's own timeout then answers before this process stops waiting for an answer at
    /// `until` (`result`).
    func boundWaitsByDeadline() throws {
        let left = until.timeIntervalSinceNow
        let leftMs = String(max(1, Int((left - min(Self.serverTimeoutLead, left / 2)) * 1000)))   // a short try keeps half
        _ = try rows("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $1, true)", leftMs)
    }

    /// Ends the transaction open on this connection, when the connection is still there — also
    /// when what failed was another shard's connection: a connection must go back to the pool
    /// with no transaction open (it would hold this shard's lock, and the next lessee's BEGIN
    /// would only warn and carry on inside it). If the ROLLBACK fails, the connection is
    /// closed, which ends the transaction on the server, and the pool opens another.
    func rollBack() {
        guard !connection.isClosed else { return }
        do {
            try run("ROLLBACK")
        } catch {
            connection.close().whenComplete { _ in }
        }
    }

    /// Runs one statement and waits for its answer until `until`. A statement sent on a
    /// connection the server has just closed can be left with no answer at all (seen after a
    /// server restart: the proxy's one store thread waited for a ROLLBACK forever), so the wait
    /// is bounded, and a connection that gives no answer in time is closed — which fails what
    /// it still holds, and the pool opens another.
    func result(_ query: PostgresQuery) throws -> PostgresQueryResult {
        guard !connection.isClosed else { throw ServerUnreachable(message: "\(server) closed the connection") }
        let answered = DispatchSemaphore(value: 0)
        let answer = Mutex<Result<PostgresQueryResult, any Error>?>(nil)
        connection.query(query, logger: logger).whenComplete { result in
            answer.withLock { $0 = result }
            answered.signal()
        }
        // The server's own timeouts (`lock_timeout`, `statement_timeout`) end just before the
        // deadline and answer first; this bound is for a server, or a connection, that answers
        // nothing — and it ends at the deadline, so the call still answers in time.
        guard answered.wait(timeout: .now() + max(0, until.timeIntervalSinceNow)) == .success else {
            connection.close().whenComplete { _ in }
            throw ServerUnreachable(message: "\(server) gave no answer before the call's deadline")
        }
        do {
            return try answer.withLock { $0! }.get()
        } catch {
            throw PostgresErrors.translate(error, server: server)
        }
    }
}

/// A shard's tables in PostgreSQL, schema-qualified: a shard's schema is its own, named once
/// (`notely_<data dir tag>_shard_<index>`) when the shard is made.
struct PostgresSchema: Sendable, Equatable {
    let name: String

    var quoted: String { "\"\(name)\"" }
    var notes: String { "\(quoted).note" }
    var tombstones: String { "\(quoted).tombstone" }
    /// One row; a write transaction locks it `FOR UPDATE`, which is the shard's write lock.
    var writer: String { "\(quoted).writer" }

    /// The tables, made if missing. `text COLLATE "C"` keeps ids in byte order, the order
    /// SQLite compares them in, so list order and a move's cursor agree on both engines;
    /// `bytea` keeps content byte for byte (PostgreSQL's `text` refuses U+0000).
    var creation: [String] {
        [
            "CREATE SCHEMA IF NOT EXISTS \(quoted)",
            """
            CREATE TABLE IF NOT EXISTS \(notes) (
                creator text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
                created_at_ms bigint NOT NULL, updated_at_ms bigint NOT NULL, content bytea NOT NULL,
                PRIMARY KEY (creator, id))
            """,
            "CREATE INDEX IF NOT EXISTS note_list_order ON \(notes) (creator, created_at_ms, id)",
            """
            CREATE TABLE IF NOT EXISTS \(tombstones) (
                creator text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
                created_at_ms bigint NOT NULL, deleted_at_ms bigint NOT NULL,
                PRIMARY KEY (creator, id))
            """,
            "CREATE INDEX IF NOT EXISTS tombstone_age ON \(tombstones) (deleted_at_ms)",
            "CREATE TABLE IF NOT EXISTS \(writer) (one integer PRIMARY KEY)",
            "INSERT INTO \(writer) VALUES (1) ON CONFLICT DO NOTHING",
        ]
    }
}
