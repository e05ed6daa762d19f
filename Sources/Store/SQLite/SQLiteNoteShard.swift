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
/// Its SQL is `SQLiteRows`; the rules that make writes safe to send again are `NoteRows`.
struct SQLiteNoteShard: NoteShard {
    let index: Int
    let pool: DatabasePool
    var engine: ShardEngine { .sqlite }

    /// `shardCount` is recorded in a new file (the count the data dir was made with, which
    /// `PlacementDatabase` adopts for a data dir from before placement existed); an existing
    /// file keeps what it has.
    init(url: URL, index: Int, shardCount: Int, durability: Durability = .default) throws {
        self.index = index
        pool = try DatabasePool(path: url.path, configuration: DataDirectory.configuration(label: ShardRouter.shardName(index)))
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

    func reading<T: Sendable>(deadline: Date?, _ body: (any ShardRows) throws -> T) async throws -> T {
        try await mappingErrors(shard: name) {
            try pool.unsafeRead { db in try body(SQLiteRows(db: db)) }
        }
    }

    /// A SQLite shard's writer is its pool's one writer connection: nothing to lease.
    func withWriter<T: Sendable>(deadline: Date?, _ body: (any ShardWriter) async throws -> T) async throws -> T {
        try await body(SQLiteWriter(index: index, pool: pool))
    }

    func close() throws { try pool.close() }
}

/// A SQLite shard's write transactions: IMMEDIATE, on the pool's writer connection, so the
/// file's write lock is held from the start (`ShardLocks.inTransaction`).
struct SQLiteWriter: ShardWriter {
    let index: Int
    let pool: DatabasePool

    func transaction<T>(deadline: Date?, _ body: (HeldShard) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            try ShardLocks.inTransaction(db, deadline: deadline) {
                try body(HeldShard(rows: SQLiteRows(db: db)) {
                    if db.isInsideTransaction { try db.commit() }
                })
            }
        }
    }
}
