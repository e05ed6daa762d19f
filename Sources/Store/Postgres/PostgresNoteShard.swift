import Foundation
import Logging
import PostgresNIO
import Synchronization

/// One shard in PostgreSQL: the tables of its own schema (`PostgresSchema`) in the database
/// the server's URL names, made on first use.
///
/// The shard's write lock is a row lock — the one row of its `writer` table, locked
/// `FOR UPDATE` at the start of every write transaction — so two processes (two proxy
/// versions) queue on it exactly as they queue on a SQLite file's write lock, and every rule of
/// docs/RESHARDING.md, the lock order included, holds unchanged.
final class PostgresNoteShard: NoteShard {
    let index: Int
    let schema: PostgresSchema
    let server: PostgresServer
    var engine: ShardEngine { .postgres }
    /// Whether this process has made (or found) the schema's tables.
    private let prepared = Mutex(false)

    init(index: Int, schema: PostgresSchema, server: PostgresServer) {
        self.index = index
        self.schema = schema
        self.server = server
    }

    private var serverName: String { "\(ShardRouter.shardName(index)) on \(server.settings.serverName)" }

    private func rows(on connection: PostgresConnection, deadline: Date?) -> PostgresRows {
        PostgresRows(connection: connection, schema: schema, server: serverName, logger: server.logger,
                     until: deadline.map { min($0, Date() + ShardLocks.defaultWait) } ?? Date() + ShardLocks.defaultWait)
    }

    func reading<T: Sendable>(deadline: Date?, _ body: (any ShardRows) throws -> T) async throws -> T {
        try await server.retrying(deadline: deadline) { connection in
            let rows = rows(on: connection, deadline: deadline)
            try prepare(rows)
            return try body(rows)
        }
    }

    func withWriter<T: Sendable>(deadline: Date?, _ body: (any ShardWriter) async throws -> T) async throws -> T {
        try await server.withConnection(deadline: deadline) { connection in
            let rows = rows(on: connection, deadline: deadline)
            try prepare(rows)
            return try await body(PostgresWriter(index: index, rows: rows, schema: schema))
        }
    }

    /// Makes the schema's tables if this process has not seen them yet. Two processes making
    /// one schema at once would collide in PostgreSQL's catalogue (`IF NOT EXISTS` is not safe
    /// against a concurrent creator), so the statements run under an advisory lock.
    ///
    /// Tables already there are only looked up: `CREATE INDEX IF NOT EXISTS` would wait for the
    /// shard's open write transactions before finding its index, holding up every writer queued
    /// behind it. The creation is one transaction, so its last table there means all of it is.
    ///
    /// Two processes making one schema at once are serialised by an advisory lock; even so, the
    /// second one's `CREATE SCHEMA IF NOT EXISTS` can miss the first one's commit (seen here:
    /// "duplicate key … pg_namespace_nspname_index" right after the lock was granted — the
    /// check reads a catalog snapshot from before it). So a failed creation looks again, in a
    /// new transaction, before it counts as a failure.
    private func prepare(_ rows: PostgresRows) throws {
        guard !prepared.withLock({ $0 }) else { return }
        if try !isMade(rows) {
            try rows.run("BEGIN")
            do {
                try rows.boundWaitsByDeadline()
                try rows.run("SELECT pg_advisory_xact_lock(hashtext($1))", schema.name)
                for statement in schema.creation { try rows.run(statement) }
                try rows.run("COMMIT")
            } catch {
                rows.rollBack()
                guard !(error is ServerUnreachable), try isMade(rows) else { throw error }
            }
        }
        prepared.withLock { $0 = true }
    }

    private func isMade(_ rows: PostgresRows) throws -> Bool {
        try rows.rows("SELECT to_regclass($1) IS NOT NULL", schema.writer).first?.decode(Bool.self) ?? false
    }

    /// Drops the shard's schema and everything in it (`--clean`).
    func drop(deadline: Date?) async throws {
        _ = try await server.retrying(deadline: deadline) { connection in
            try rows(on: connection, deadline: deadline).run("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
        }
    }

    func close() throws {}
}

/// A PostgreSQL shard's write transactions, on the connection `withWriter` leased: the lock
/// wait is bounded by the call's deadline (`lock_timeout`), and so is every statement
/// (`statement_timeout`), so a server that stops answering never holds a call past it.
struct PostgresWriter: ShardWriter {
    let index: Int
    let rows: PostgresRows
    let schema: PostgresSchema

    func transaction<T>(deadline: Date?, _ body: (HeldShard) throws -> T) throws -> T {
        var open = false
        var committing = false
        do {
            try rows.run("BEGIN")
            open = true
            try rows.boundWaitsByDeadline()
            try rows.run("SELECT one FROM \(schema.writer) FOR UPDATE")
            let result = try body(HeldShard(rows: rows) {
                guard open else { return }
                committing = true
                try rows.run("COMMIT")
                open = false
            })
            if open {
                committing = true
                try rows.run("COMMIT")
                open = false
            }
            return result
        } catch {
            if open, !committing { rows.rollBack() }
            if error is LockTimeout {
                // Its wait ran to the deadline (less the lead that leaves time to answer).
                if let deadline { throw StoreError.deadlinePassed(deadline) }
                throw StoreError.unavailable("\(ShardRouter.shardName(index)): the shard's lock was not free in time, try again")
            }
            if var lost = error as? ServerUnreachable, committing {
                lost.maybeCommitted = true
                throw lost
            }
            throw error
        }
    }
}
