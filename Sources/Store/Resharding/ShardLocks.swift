import Foundation
import GRDB
import GRDBSQLite

/// The one lock order of a data dir (docs/RESHARDING.md, "Lock order"): a path that holds
/// more than one write lock takes shard locks in ascending index, whatever their engines
/// (a SQLite file's lock, or a PostgreSQL shard's row lock), and `placement.sqlite`'s last. Every path that holds two shards at once — a write that mirrors
/// to its move's target, a copy step, a growth — goes through `withWriteLocks`, so no two
/// calls, in one process or in two proxy versions, can each hold a lock the other waits for.
///
/// Every wait for a lock is bounded by the call's deadline (SQLite's busy handler, or
/// PostgreSQL's `lock_timeout`, set to the time left), and the deadline is checked again once every lock is held, inside the
/// transactions: a call past it commits nothing (`StoreError.deadlinePassed`).
enum ShardLocks {
    /// The longest a lock wait lasts for a call without a deadline (in-process use, tests).
    static let defaultWait: TimeInterval = 10

    /// Runs `body` holding the write lock of each shard in `shards` (on any engines), taken in
    /// ascending index order. `body` may commit some of them itself, to order the commits (a
    /// move's target before its home); the rest commit when it returns, highest index first. If
    /// anything throws, every transaction still open rolls back.
    ///
    /// What the transactions run on is leased first (a PostgreSQL shard's pooled connection),
    /// also in ascending order; then the locks are taken in one synchronous critical section.
    static func withWriteLocks<T: Sendable>(on shards: [any NoteShard], deadline: Date?,
                                            _ body: (HeldShards) throws -> T) async throws -> T {
        var seen = Set<Int>()
        let ordered = shards.sorted { $0.index < $1.index }.filter { seen.insert($0.index).inserted }
        return try await withWriters(ordered[...], deadline: deadline, leased: []) { writers in
            try lock(writers[...], deadline: deadline, held: HeldShards(), body)
        }
    }

    private static func withWriters<T: Sendable>(_ rest: ArraySlice<any NoteShard>, deadline: Date?, leased: [any ShardWriter],
                                                 _ body: ([any ShardWriter]) throws -> T) async throws -> T {
        guard let next = rest.first else { return try body(leased) }
        return try await next.withWriter(deadline: deadline) { writer in
            try await withWriters(rest.dropFirst(), deadline: deadline, leased: leased + [writer], body)
        }
    }

    private static func lock<T>(_ rest: ArraySlice<any ShardWriter>, deadline: Date?, held: HeldShards,
                                _ body: (HeldShards) throws -> T) throws -> T {
        guard let next = rest.first else {
            try checkDeadline(deadline)
            return try body(held)
        }
        return try next.transaction(deadline: deadline) { shard in
            var held = held
            held.shards[next.index] = shard
            return try lock(rest.dropFirst(), deadline: deadline, held: held, body)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction on `db` (a writer connection the caller holds),
    /// its lock wait bounded by `deadline`: committed when `body` returns, unless `body`
    /// committed it itself; rolled back when anything throws. The one way a shard's or the
    /// placement's write transaction is opened and ended.
    static func inTransaction<T>(_ db: Database, deadline: Date?, _ body: () throws -> T) throws -> T {
        try begin(db, deadline: deadline)
        do {
            let result = try body()
            if db.isInsideTransaction { try db.commit() }
            return result
        } catch {
            if db.isInsideTransaction { try? db.rollback() }
            throw error
        }
    }

    /// Opens an IMMEDIATE transaction — it holds the file's write lock from its start — waiting
    /// for the lock no longer than the deadline allows. The wait polls every `pollInterval`
    /// rather than with SQLite's own back-off (up to 100 ms a try), which lets a writer that
    /// keeps re-taking the lock starve a waiting one for seconds.
    private static func begin(_ db: Database, deadline: Date?) throws {
        let until = deadline.map { min($0, Date() + defaultWait) } ?? Date() + defaultWait
        let untilMs = Int(until.timeIntervalSince1970 * 1000)
        sqlite3_busy_handler(db.sqliteConnection, pollUntil, UnsafeMutableRawPointer(bitPattern: untilMs))
        defer { sqlite3_busy_timeout(db.sqliteConnection, CInt(defaultWait * 1000)) }   // GRDB's, for anything else
        do {
            try db.beginTransaction(.immediate)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            if let deadline, deadline.timeIntervalSinceNow < 0.005 { throw StoreError.deadlinePassed(deadline) }
            throw error
        }
    }

    static let pollInterval: useconds_t = 500

    /// SQLite's busy handler: try again after a short sleep until the time (milliseconds since
    /// the epoch, carried in the context pointer's bits: nothing to allocate or free) passes.
    private static let pollUntil: @convention(c) (UnsafeMutableRawPointer?, CInt) -> CInt = { context, _ in
        let untilMs = Int(bitPattern: context)
        guard Int(Date().timeIntervalSince1970 * 1000) < untilMs else { return 0 }
        usleep(ShardLocks.pollInterval)
        return 1
    }

    static func checkDeadline(_ deadline: Date?) throws {
        if let deadline, Date() >= deadline { throw StoreError.deadlinePassed(deadline) }
    }
}

/// The write transactions `ShardLocks.withWriteLocks` holds, by shard index.
struct HeldShards {
    fileprivate(set) var shards: [Int: HeldShard] = [:]

    /// The rows of shard `index`, in its open transaction; only shards asked for are held.
    subscript(index: Int) -> any ShardRows {
        get throws { try held(index).rows }
    }

    /// Commits shard `index` now, before the others (a move's target before its home).
    func commit(_ index: Int) throws {
        try held(index).commit()
    }

    private func held(_ index: Int) throws -> HeldShard {
        guard let shard = shards[index] else { throw StoreError.unavailable("shard-\(index) is not among the locks held") }
        return shard
    }
}
