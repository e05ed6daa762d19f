import Foundation
import GRDB

/// `placement.sqlite`: which shard serves each account, and the moves under way — data of the
/// data plane, in the data dir, so every proxy version reads the same answer and a move
/// survives the crash of whoever ran it (docs/RESHARDING.md has the protocol).
///
/// It holds the exceptions only. An account with no row lives on its hash placement for
/// `shardCount`; a row names its home (`shard`), and while the account moves, where to
/// (`movingTo`, with the copy's `cursor`) or, once switched, the old shard whose copies are
/// still being deleted (`leftoverOn`). `version` goes up whenever a home changes or a move
/// starts: a process may keep what it read for as long as the version stays the same.
struct PlacementDatabase: Sendable {
    let pool: DatabasePool
    /// One read-only connection for `version()`, the read every note call makes: a pool's read
    /// also checks the schema version first (a second statement and read transaction), which
    /// a queue's `unsafeRead` does not.
    private let versionReader: DatabaseQueue

    /// Opens the file, creating it with `initialShardCount` shards on `initialEngine` when it is
    /// new (the count recorded in an older data dir's shard files, or the one asked for).
    /// `legacy`: the data dir has shard files from before placement existed, whose accounts
    /// sit on the `modulo` rule.
    init(url: URL, durability: Durability, initialShardCount: Int, initialEngine: ShardEngine, legacy: Bool = false) throws {
        pool = try DatabasePool(path: url.path, configuration: DataDirectory.configuration(label: "placement"))
        try durability.apply(to: pool)
        // New: no placement was ever written (also when a crash cut its first start short).
        let isNew = try pool.read { db in try !db.tableExists("meta") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-placement") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER);
                CREATE TABLE account (
                    accountId TEXT PRIMARY KEY NOT NULL,
                    shard INTEGER NOT NULL,
                    movingTo INTEGER,
                    leftoverOn INTEGER,
                    cursorCreatedAtMs INTEGER,
                    cursorId TEXT,
                    copied INTEGER NOT NULL DEFAULT 0,
                    total INTEGER NOT NULL DEFAULT 0,
                    queuedAt INTEGER NOT NULL DEFAULT 0
                );
                """)
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('shardCount', ?), ('version', 0), ('reshardFrom', NULL), ('reshardTo', NULL)",
                           arguments: [initialShardCount])
        }
        // Each shard's engine (none recorded: SQLite, as every shard was before), and a random tag
        // that names this data dir's PostgreSQL schemas, so data dirs sharing a server never meet.
        migrator.registerMigration("v2-engines") { db in
            try db.execute(sql: "CREATE TABLE engine (shard INTEGER PRIMARY KEY NOT NULL, engine TEXT NOT NULL)")
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('tag', ?)", arguments: [Int64.random(in: 1..<(1 << 32))])
            if isNew {
                for index in 0..<initialShardCount {
                    try db.execute(sql: "INSERT INTO engine(shard, engine) VALUES (?, ?)", arguments: [index, initialEngine.rawValue])
                }
            }
        }
        // The shard set: each shard's state (every shard so far is active), and the placement
        // rule — `rendezvous` for a new data dir, `modulo` (what every older one uses) otherwise.
        migrator.registerMigration("v3-shard-set") { db in
            try db.execute(sql: """
                ALTER TABLE engine ADD COLUMN state INTEGER NOT NULL DEFAULT \(ShardState.active.code);
                ALTER TABLE engine ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE engine ADD COLUMN leaving INTEGER NOT NULL DEFAULT 0;
                """)
            let count = try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'shardCount'") ?? initialShardCount
            for index in 0..<count {
                try db.execute(sql: "INSERT OR IGNORE INTO engine(shard, engine) VALUES (?, ?)", arguments: [index, ShardEngine.sqlite.rawValue])
            }
            let rule: ShardRouter.Rule = isNew && !legacy ? .rendezvous : .modulo
            try db.execute(sql: """
                INSERT INTO meta(key, value) VALUES ('rule', ?), ('changeKind', NULL), ('changeEngine', NULL), ('verified', 0), ('recopied', 0)
                """, arguments: [rule == .rendezvous ? 1 : 0])
        }
        try migrator.migrate(pool)
        var readOnly = DataDirectory.configuration(label: "placement-version")
        readOnly.readonly = true
        versionReader = try DatabaseQueue(path: url.path, configuration: readOnly)
    }

    /// The placement's version now: one cached statement. While it stays the same, a
    /// `PlacementState` read earlier is still the placement.
    func version() throws -> Int64 {
        try versionReader.unsafeRead { db in
            guard let version = try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'version'")) else {
                throw StoreError.unavailable("placement.sqlite has no version")
            }
            return version
        }
    }

    /// Runs `body` in a read transaction: one snapshot of the file.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// The whole placement, read fresh.
    func state() throws -> PlacementState {
        try pool.read { db in try Self.state(in: db) }
    }

    static func state(in db: Database) throws -> PlacementState {
        let meta = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM meta").map { row -> (String, Int64?) in
            (row[0], row[1])
        })
        guard let count = meta["shardCount"] ?? nil, let version = meta["version"] ?? nil else {
            throw StoreError.unavailable("placement.sqlite has no shard count")
        }
        var shards: [Int: PlacementState.Shard] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT shard, engine, state, dropped, leaving FROM engine") {
            let code: Int = row[2]
            shards[row[0]] = PlacementState.Shard(engine: ShardEngine(rawValue: row[1]) ?? .sqlite,
                                                  state: ShardState.allCases.first { $0.code == code } ?? .active, dropped: row[3],
                                                  leaving: row[4])
        }
        var change: PlacementState.Change?
        if let from = meta["reshardFrom"] ?? nil, let to = meta["reshardTo"] ?? nil {
            change = PlacementState.Change(kind: (meta["changeKind"] ?? nil).flatMap { ShardSetChange.Kind(code: Int($0)) } ?? .grow,
                                           from: Int(from), to: Int(to),
                                           engine: (meta["changeEngine"] ?? nil).map { $0 == 1 ? .postgres : .sqlite })
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT accountId, shard, movingTo, leftoverOn, cursorCreatedAtMs, cursorId, copied, total, queuedAt FROM account
            """).compactMap(PlacementRow.init)
        return PlacementState(shardCount: Int(count), version: version, change: change, shards: shards,
                              rule: (meta["rule"] ?? nil) == 1 ? .rendezvous : .modulo,
                              verified: Int((meta["verified"] ?? nil) ?? 0), recopied: Int((meta["recopied"] ?? nil) ?? 0),
                              tag: (meta["tag"] ?? nil) ?? 0, rows: Dictionary(rows.map { ($0.accountId, $0) }) { first, _ in first })
    }

    /// One account's row, read fresh (a step checks its move is still the one it read).
    static func row(of accountId: UUID, in db: Database) throws -> PlacementRow? {
        try Row.fetchOne(db, sql: """
            SELECT accountId, shard, movingTo, leftoverOn, cursorCreatedAtMs, cursorId, copied, total, queuedAt FROM account WHERE accountId = ?
            """, arguments: [accountId.storageText]).flatMap(PlacementRow.init)
    }

    /// Runs `body` in a write transaction on the placement (synchronously: it is always short),
    /// its lock wait bounded by `deadline`. Its lock is the last of the one lock order
    /// (`ShardLocks`): nothing waits for a shard while holding it.
    func write<T>(deadline: Date? = nil, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                try ShardLocks.inTransaction(db, deadline: deadline) { try body(db) }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw storeError(error, shard: "placement")
        }
    }

    static func save(_ row: PlacementRow, in db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO account(accountId, shard, movingTo, leftoverOn, cursorCreatedAtMs, cursorId, copied, total, queuedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [row.accountId.storageText, row.shard, row.movingTo, row.leftoverOn,
                             row.cursor?.createdAtMs, row.cursor?.id, row.copied, row.total, row.queuedAt])
    }

    static func setShard(_ index: Int, engine: ShardEngine, state: ShardState, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO engine(shard, engine, state, dropped) VALUES (?, ?, ?, 0)",
                       arguments: [index, engine.rawValue, state.code])
    }

    /// Sets a shard's state; whether it leaves at the next switch is decided again.
    static func setState(_ state: ShardState, of index: Int, leaving: Bool = false, in db: Database) throws {
        try db.execute(sql: "UPDATE engine SET state = ?, leaving = ? WHERE shard = ?", arguments: [state.code, leaving, index])
    }

    /// A retired shard's file or tables are gone.
    static func markDropped(_ index: Int, in db: Database) throws {
        try db.execute(sql: "UPDATE engine SET dropped = 1 WHERE shard = ?", arguments: [index])
    }

    /// Records the change of the shard set under way (nil: none).
    static func setChange(_ change: PlacementState.Change?, in db: Database) throws {
        try set("reshardFrom", change?.from, in: db)
        try set("reshardTo", change?.to, in: db)
        try set("changeKind", change?.kind.code, in: db)
        try set("changeEngine", change?.engine.map { $0 == .postgres ? 1 : 0 }, in: db)
    }

    static func count(_ key: String, in db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = COALESCE(value, 0) + 1 WHERE key = ?", arguments: [key])
    }

    static func setRule(_ rule: ShardRouter.Rule, in db: Database) throws {
        try set("rule", rule == .rendezvous ? 1 : 0, in: db)
    }

    static func remove(_ accountId: UUID, in db: Database) throws {
        try db.execute(sql: "DELETE FROM account WHERE accountId = ?", arguments: [accountId.storageText])
    }

    static func set(_ key: String, _ value: Int?, in db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = ?", arguments: [value, key])
    }

    /// Marks a change every reader in flight must notice.
    static func bumpVersion(in db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'version'")
    }

    static func nextQueuePosition(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(queuedAt), 0) + 1 FROM account") ?? 1
    }

    func close() throws {
        try versionReader.close()
        try pool.close()
    }
}

/// Everything in `placement.sqlite`, as one read saw it.
struct PlacementState: Sendable {
    /// Shard indices in use so far: `0..<shardCount` (retired ones included; an index is
    /// never used twice, so a process's cached shard for an index is always that shard's).
    var shardCount: Int
    var version: Int64
    /// The change of the shard set under way (its moves still queued), or nil.
    var change: Change?
    /// Each shard's engine and state, by index; a shard with none recorded is an active SQLite one.
    var shards: [Int: Shard] = [:]
    var rule: ShardRouter.Rule = .rendezvous
    /// Moves whose switch was verified, and copies that differed and were made again.
    var verified = 0
    var recopied = 0
    /// The data dir's own tag, in the names of its PostgreSQL schemas.
    var tag: Int64 = 0
    var rows: [UUID: PlacementRow]

    struct Shard: Sendable, Equatable {
        var engine: ShardEngine
        var state: ShardState
        var dropped = false
        /// Active, and drained by the change being prepared, at its switch.
        var leaving = false
    }

    /// What `placement.sqlite` records of a change (its progress is counted from the rows).
    struct Change: Sendable, Equatable {
        var kind: ShardSetChange.Kind
        var from: Int
        var to: Int
        var engine: ShardEngine?
    }

    func engine(of index: Int) -> ShardEngine { shards[index]?.engine ?? .sqlite }
    func state(of index: Int) -> ShardState { shards[index]?.state ?? (index < shardCount ? .active : .new) }

    var activeShards: [Int] { (0..<shardCount).filter { state(of: $0) == .active } }
    /// Shards a change added that its switch has not made active yet.
    var newShards: [Int] { (0..<shardCount).filter { state(of: $0) == .new } }
    /// Active shards the change being prepared drains at its switch.
    var leavingShards: [Int] { (0..<shardCount).filter { shards[$0]?.leaving == true && state(of: $0) == .active } }
    /// A change is recorded and its switch has not run yet (it may have crashed before).
    var isPreparing: Bool { change != nil && !(newShards.isEmpty && leavingShards.isEmpty) }
    /// Shards that may hold rows: all but retired ones (a `new` one may hold a copy).
    var liveShards: [Int] { (0..<shardCount).filter { state(of: $0) != .retired } }
    var router: ShardRouter { ShardRouter(active: activeShards, rule: rule) }

    /// How this data dir's connections are named on the server (`pg_stat_activity`).
    var postgresApplicationName: String { "notely-\(String(tag, radix: 16))" }

    /// Where shard `index` keeps its tables when it is on PostgreSQL.
    func postgresSchema(of index: Int) -> PostgresSchema {
        PostgresSchema(name: "notely_\(String(tag, radix: 16))_shard_\(index)")
    }

    func row(of accountId: UUID) -> PlacementRow? { rows[accountId] }

    /// Rows of accounts that move (queued, copying, or cleaning up), in queue order.
    var moving: [PlacementRow] {
        rows.values.filter(\.isMoving).sorted { $0.queuedAt < $1.queuedAt }
    }

    func home(of accountId: UUID) -> Int {
        row(of: accountId)?.shard ?? router.shard(for: accountId)
    }
}

/// One account's row in `placement.sqlite`.
struct PlacementRow: Equatable, Sendable {
    var accountId: UUID
    var shard: Int
    var movingTo: Int?
    var leftoverOn: Int?
    var cursor: NoteKey?
    var copied = 0
    var total = 0
    var queuedAt: Int64 = 0

    var isMoving: Bool { movingTo != nil || leftoverOn != nil }

    init(accountId: UUID, shard: Int, movingTo: Int? = nil, total: Int = 0, queuedAt: Int64 = 0) {
        self.accountId = accountId
        self.shard = shard
        self.movingTo = movingTo
        self.total = total
        self.queuedAt = queuedAt
    }

    init?(_ row: Row) {
        guard let accountId = UUIDText.parse(row[0]) else { return nil }
        self.accountId = accountId
        shard = row[1]
        movingTo = row[2]
        leftoverOn = row[3]
        if let createdAtMs: Int64 = row[4], let id: String = row[5] { cursor = NoteKey(createdAtMs: createdAtMs, id: id) }
        copied = row[6]
        total = row[7]
        queuedAt = row[8]
    }
}
