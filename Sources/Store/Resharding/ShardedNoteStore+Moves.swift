import Foundation

/// Live re-sharding: moving an account, growing the shard count, and the steps that carry the
/// moves out (docs/RESHARDING.md). All state is in `placement.sqlite`, so any proxy version can
/// take the next step, and a move a crash interrupted goes on from where its last step ended.
extension ShardedNoteStore {
    /// Queues the move. It takes no shard lock: until a step copies, nothing of the account has
    /// moved, and every write from now on also copies its note to the target.
    func startMove(of accountId: UUID, to target: Int, deadline: Date?) async throws -> (from: Int, to: Int) {
        let state = try placement.state()
        guard (0..<state.shardCount).contains(target) else {
            throw StoreError.invalidInput("shard \(target) does not exist; the data dir has shards 0…\(state.shardCount - 1)")
        }
        let home = state.home(of: accountId)
        let total = try await shard(home).perform(.countNotes(accountId: accountId), deadline: deadline).count()
        return try placement.write(deadline: deadline) { db in
            let state = try PlacementDatabase.state(in: db)
            if let growth = state.growth {
                throw StoreError.conflict("the shards are growing \(growth.from) → \(growth.to); move accounts when that is done")
            }
            let row = state.row(of: accountId)
            if let row, row.isMoving {
                throw StoreError.conflict("account \(accountId.uuidText) is already moving to shard \(row.movingTo ?? row.shard)")
            }
            let home = state.home(of: accountId)
            guard home != target else { throw StoreError.conflict("account \(accountId.uuidText) already lives on shard \(target)") }
            try PlacementDatabase.save(PlacementRow(accountId: accountId, shard: home, movingTo: target, total: total,
                                                    queuedAt: try PlacementDatabase.nextQueuePosition(in: db)), in: db)
            try PlacementDatabase.bumpVersion(in: db)
            return (home, target)
        }
    }

    /// Adds empty shards up to `count` on `engine` (nil: the newest shard's), then — under every old shard's write lock, so no note
    /// lands anywhere meanwhile — makes the hash placement for `count` the rule and queues a
    /// move for each account with rows (notes, or tombstones) that it would place elsewhere.
    /// The same growth asked again (a retry) answers as the first did.
    func grow(to count: Int, engine: ShardEngine?, deadline: Date?) async throws -> (from: Int, to: Int) {
        let state = try placement.state()
        if let growth = state.growth, growth.to == count { return growth }
        guard count <= Self.maxShards else { throw StoreError.invalidInput("count must be at most \(Self.maxShards), got \(count)") }
        guard count > state.shardCount else {
            throw StoreError.invalidInput("the data dir has \(state.shardCount) shards; it can grow, not shrink (count \(count))")
        }
        if let growth = state.growth {
            throw StoreError.conflict("the shards are already growing \(growth.from) → \(growth.to)")
        }
        if let move = state.moving.first {
            throw StoreError.conflict("account \(move.accountId.uuidText) is moving; grow the shards when it is done")
        }
        let engine = engine ?? state.engine(of: state.shardCount - 1)
        if engine == .postgres, postgres == nil {
            throw StoreError.invalidInput("shards on PostgreSQL need a server: start notely with --postgres URL")
        }
        try placement.write(deadline: deadline) { db in
            for index in state.shardCount..<count where try PlacementDatabase.state(in: db).engines[index] != engine {
                try PlacementDatabase.setEngine(engine, of: index, in: db)
            }
        }
        try readPlacement()
        for index in state.shardCount..<count {
            let new = try shard(index, countIfNew: count)
            guard new.engine == engine else {
                throw StoreError.conflict("shard-\(index) was opened on \(new.engine.rawValue) by an earlier growth; restart to grow on \(engine.rawValue)")
            }
            _ = try await new.perform(.healthCheck, deadline: deadline)   // makes its tables
        }
        let oldShards = try (0..<state.shardCount).map { try shard($0) }
        let router = ShardRouter(shardCount: count)
        return try await mappingErrors(shard: "placement") {
            try await ShardLocks.withWriteLocks(on: oldShards, deadline: deadline) { held in
                try placement.write(deadline: deadline) { db in
                    let current = try PlacementDatabase.state(in: db)
                    guard current.shardCount == state.shardCount, current.moving.isEmpty, current.growth == nil else {
                        throw StoreError.conflict("the placement changed while the shards were growing; try again")
                    }
                    var queue = try PlacementDatabase.nextQueuePosition(in: db)
                    var withRows = Set<UUID>()
                    for index in oldShards.indices {
                        let shardDB = try held[index]
                        for accountId in try shardDB.accountsWithRows() where current.home(of: accountId) == index {
                            withRows.insert(accountId)
                            let target = router.shard(for: accountId)
                            if target == index {
                                try PlacementDatabase.remove(accountId, in: db)
                            } else {
                                try PlacementDatabase.save(PlacementRow(accountId: accountId, shard: index, movingTo: target,
                                                                        total: shardDB.count(of: accountId),
                                                                        queuedAt: queue), in: db)
                                queue += 1
                            }
                        }
                    }
                    for row in current.rows.values where !withRows.contains(row.accountId) { try PlacementDatabase.remove(row.accountId, in: db) }
                    try PlacementDatabase.set("shardCount", count, in: db)
                    try PlacementDatabase.set("reshardFrom", state.shardCount, in: db)
                    try PlacementDatabase.set("reshardTo", count, in: db)
                    try PlacementDatabase.bumpVersion(in: db)
                    return (state.shardCount, count)
                }
            }
        }
    }

    /// One bounded step of the first queued move: copy a batch (switching homes after the
    /// last), or delete a batch of the copies left behind, or end a finished growth.
    func step(deadline: Date?) async throws {
        let state = try placement.state()
        guard let row = state.moving.first else {
            if state.growth != nil {
                try placement.write(deadline: deadline) { db in
                    guard try PlacementDatabase.state(in: db).moving.isEmpty else { return }
                    try PlacementDatabase.set("reshardFrom", nil, in: db)
                    try PlacementDatabase.set("reshardTo", nil, in: db)
                }
            }
            return
        }
        if let leftover = row.leftoverOn {
            try await cleanUp(row, on: leftover, shardCount: state.shardCount, deadline: deadline)
        } else if let target = row.movingTo {
            try await copyBatch(row, to: target, deadline: deadline)
        }
    }

    /// Copies the notes after the cursor, a batch at a time, holding the source's write lock so
    /// no write of the account lands in between, and the target's (both in the one lock order,
    /// `ShardLocks`). The batch's key range on the target is made exactly the source's (copies
    /// a crash left there are replaced). The last batch brings the account's tombstones too
    /// and, still under the locks, switches the home to the target. Commits: target first,
    /// placement next; the source wrote nothing.
    private func copyBatch(_ row: PlacementRow, to target: Int, deadline: Date?) async throws {
        let shards = [try shard(row.shard), try shard(target)]
        try await mappingErrors(shard: ShardRouter.shardName(row.shard)) {
            try await ShardLocks.withWriteLocks(on: shards, deadline: deadline) { held in
                guard try placement.state().row(of: row.accountId) == row else { return }   // another step got here first
                let source = try held[row.shard], targetDB = try held[target]
                let page = try source.notes(of: row.accountId, after: row.cursor, limit: Self.moveBatch + 1)
                let isLast = page.count <= Self.moveBatch
                let batch = page.prefix(Self.moveBatch)
                let through = isLast ? nil : batch.last.map(NoteKey.init)
                try targetDB.deleteNotes(of: row.accountId, after: row.cursor, through: through)
                for note in batch { try targetDB.put(note) }
                if isLast { try NoteRows.copyTombstones(of: row.accountId, from: source, to: targetDB) }
                try held.commit(target)
                let total = try source.count(of: row.accountId)
                try placement.write(deadline: deadline) { placementDB in
                    var next = row
                    next.total = total
                    if isLast {
                        next.leftoverOn = row.shard
                        next.shard = target
                        next.movingTo = nil
                        next.cursor = nil
                        next.copied = total
                        try PlacementDatabase.bumpVersion(in: placementDB)
                    } else {
                        next.cursor = through
                        next.copied = min(total, row.copied + batch.count)
                    }
                    try PlacementDatabase.save(next, in: placementDB)
                }
            }
        }
    }

    /// Deletes a batch of the rows (notes, then tombstones) the account left on its old shard;
    /// when none are left, the move is done (and the row goes if the account is on its hash
    /// placement).
    private func cleanUp(_ row: PlacementRow, on leftover: Int, shardCount: Int, deadline: Date?) async throws {
        let leftoverShard = try shard(leftover)
        let deleted = try await mappingErrors(shard: leftoverShard.name) {
            try await ShardLocks.withWriteLocks(on: [leftoverShard], deadline: deadline) { held in
                try held[leftover].deleteSomeRows(of: row.accountId, limit: Self.moveBatch)
            }
        }
        guard deleted == 0 else { return }
        try placement.write(deadline: deadline) { db in
            guard try PlacementDatabase.state(in: db).row(of: row.accountId) == row else { return }
            if row.shard == ShardRouter(shardCount: shardCount).shard(for: row.accountId) {
                try PlacementDatabase.remove(row.accountId, in: db)
            } else {
                var done = row
                done.leftoverOn = nil
                try PlacementDatabase.save(done, in: db)
            }
        }
    }

    /// The placement with each shard's note count. A move's copies on its target and the ones
    /// left on its old shard don't count; counted again if a move started or switched meanwhile.
    func describe(deadline: Date?) async throws -> PlacementSnapshot {
        while true {
            let state = try placement.state()
            var notesPerShard: [Int] = []
            for index in 0..<state.shardCount {
                let hidden = state.rows.values.filter { $0.movingTo == index || $0.leftoverOn == index }.map(\.accountId)
                notesPerShard.append(try await shard(index).reading(deadline: deadline) { rows in
                    try hidden.reduce(try rows.totalCount()) { $0 - (try rows.count(of: $1)) }
                })
            }
            guard try placement.version() == state.version else { continue }
            let router = ShardRouter(shardCount: state.shardCount)
            let moves = state.moving.map { row in
                AccountMove(accountId: row.accountId, from: row.leftoverOn ?? row.shard, to: row.movingTo ?? row.shard,
                            copied: row.copied, total: row.total, switched: row.leftoverOn != nil)
            }
            return PlacementSnapshot(
                shardCount: state.shardCount,
                engines: (0..<state.shardCount).map(state.engine(of:)),
                homes: state.rows.filter { $0.value.shard != router.shard(for: $0.key) }.mapValues(\.shard),
                moves: moves, notesPerShard: notesPerShard,
                growth: state.growth.map { Growth(from: $0.from, to: $0.to, accountsLeft: moves.count) })
        }
    }
}
