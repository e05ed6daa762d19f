import Foundation

/// Live re-sharding: moving an account, and the steps that carry the moves out
/// (docs/RESHARDING.md). All state is in `placement.sqlite`, so any proxy version can take the
/// next step, and a move a crash interrupted goes on from where its last step ended.
extension ShardedNoteStore {
    /// Queues the move. It takes no shard lock: until a step copies, nothing of the account has
    /// moved, and every write from now on also copies its note to the target.
    func startMove(of accountId: UUID, to target: Int, deadline: Date?) async throws -> (from: Int, to: Int) {
        let state = try placement.state()
        guard (0..<state.shardCount).contains(target) else {
            throw StoreError.invalidInput("shard \(target) does not exist; the data dir has shards 0…\(state.shardCount - 1)")
        }
        guard state.state(of: target) == .active else {
            throw StoreError.invalidInput("shard \(target) is \(state.state(of: target).rawValue); accounts move to active shards only")
        }
        let home = state.home(of: accountId)
        let total = try await shard(home).perform(.countNotes(accountId: accountId), deadline: deadline).count()
        return try placement.write(deadline: deadline) { db in
            let state = try PlacementDatabase.state(in: db)
            if let change = state.change {
                throw StoreError.conflict("the shard set is changing (\(change.kind.rawValue) \(change.from) → \(change.to)); move accounts when that is done")
            }
            let row = state.row(of: accountId)
            if let row, row.isMoving {
                throw StoreError.conflict("account \(accountId.uuidText) is already moving to shard \(row.movingTo ?? row.shard)")
            }
            guard state.state(of: target) == .active else {
                throw StoreError.invalidInput("shard \(target) is \(state.state(of: target).rawValue); accounts move to active shards only")
            }
            let home = state.home(of: accountId)
            guard home != target else { throw StoreError.conflict("account \(accountId.uuidText) already lives on shard \(target)") }
            try PlacementDatabase.save(PlacementRow(accountId: accountId, shard: home, movingTo: target, total: total,
                                                    queuedAt: try PlacementDatabase.nextQueuePosition(in: db)), in: db)
            try PlacementDatabase.bumpVersion(in: db)
            return (home, target)
        }
    }

    /// One bounded step: of a change of the shard set recorded but not switched yet (its
    /// switch); else of the first queued move — a batch of up to `batch` notes copied
    /// (switching homes after the last, once the copy is verified), or a batch of the copies
    /// left behind deleted; else of ending the change (`finishChange`); else, with nothing
    /// else to do, a retired shard's storage dropped (a server that is down then holds up
    /// nothing but the drop).
    func step(batch: Int?, deadline: Date?) async throws {
        let batch = min(max(batch ?? Self.moveBatch, 1), Self.maxMoveBatch)
        let state = try placement.state()
        if state.isPreparing {
            try await prepareAndSwitch(deadline: deadline)
        } else if let row = state.moving.first {
            if let leftover = row.leftoverOn {
                try await cleanUp(row, on: leftover, batch: batch, deadline: deadline)
            } else if let target = row.movingTo {
                try await copyBatch(row, to: target, batch: batch, deadline: deadline)
            }
        } else if state.change != nil {
            try await finishChange(state, deadline: deadline)
        } else if let index = state.shards.first(where: { $0.value.state == .retired && !$0.value.dropped })?.key {
            try await dropStorage(of: index, state: state, deadline: deadline)
        }
    }

    /// Copies the notes after the cursor, a batch at a time, holding the source's write lock so
    /// no write of the account lands in between, and the target's (both in the one lock order,
    /// `ShardLocks`). The batch's key range on the target is made exactly the source's (copies
    /// a crash left there are replaced). The last batch brings the account's tombstones too,
    /// compares the account's rows on both shards (`AccountDigest`) and, still under the locks,
    /// switches the home to the target only when they agree — otherwise the copy starts over.
    /// Commits: target first, placement next; the source wrote nothing.
    private func copyBatch(_ row: PlacementRow, to target: Int, batch: Int, deadline: Date?) async throws {
        let shards = [try shard(row.shard), try shard(target)]
        try await mappingErrors(shard: ShardRouter.shardName(row.shard)) {
            try await ShardLocks.withWriteLocks(on: shards, deadline: deadline) { held in
                // Another step got here first.
                guard try placement.read({ try PlacementDatabase.row(of: row.accountId, in: $0) }) == row else { return }
                let source = try held[row.shard], targetDB = try held[target]
                let page = try source.notes(of: row.accountId, after: row.cursor, limit: batch + 1)
                let isLast = page.count <= batch
                let notes = Array(page.prefix(batch))
                let through = isLast ? nil : notes.last.map(NoteKey.init)
                try targetDB.deleteNotes(of: row.accountId, after: row.cursor, through: through)
                try targetDB.putAll(notes)
                var agrees = true
                if isLast {
                    try NoteRows.copyTombstones(of: row.accountId, from: source, to: targetDB)
                    let expected = try AccountDigest(of: row.accountId, in: source)
                    let copied = try AccountDigest(of: row.accountId, in: targetDB)
                    agrees = expected == copied
                    if !agrees {
                        logger.warning("""
                            account \(row.accountId.uuidText): the copy on shard-\(target) differs from shard-\(row.shard) \
                            (\(copied) against \(expected)); copying it again
                            """)
                    }
                }
                try held.commit(target)
                let total = try source.count(of: row.accountId)
                try placement.write(deadline: deadline) { placementDB in
                    var next = row
                    next.total = total
                    if isLast, agrees {
                        next.leftoverOn = row.shard
                        next.shard = target
                        next.movingTo = nil
                        next.cursor = nil
                        next.copied = total
                        try PlacementDatabase.count("verified", in: placementDB)
                        try PlacementDatabase.bumpVersion(in: placementDB)
                    } else if isLast {
                        next.cursor = nil
                        next.copied = 0
                        try PlacementDatabase.count("recopied", in: placementDB)
                    } else {
                        next.cursor = through
                        next.copied = min(total, row.copied + notes.count)
                    }
                    try PlacementDatabase.save(next, in: placementDB)
                }
            }
        }
    }

    static let cleanUpBatchFactor = 10

    /// Deletes a batch of the rows (notes, then tombstones) the account left on its old shard;
    /// when none are left — the batch was not full —, the move is done (and the row goes if the
    /// account is where the rule places it).
    private func cleanUp(_ row: PlacementRow, on leftover: Int, batch: Int, deadline: Date?) async throws {
        // A deleted row costs a fraction of a copied one (no read, nothing sent back or on to
        // another shard): a clean-up step takes more of them for its time.
        let limit = min(batch * Self.cleanUpBatchFactor, Self.maxMoveBatch)
        let leftoverShard = try shard(leftover)
        let deleted = try await mappingErrors(shard: leftoverShard.name) {
            try await ShardLocks.withWriteLocks(on: [leftoverShard], deadline: deadline) { held -> Int? in
                // Another step may have ended this move meanwhile, and the account moved back
                // here since: its rows are its home's now.
                guard try placement.read({ try PlacementDatabase.row(of: row.accountId, in: $0) }) == row else { return nil }
                return try held[leftover].deleteSomeRows(of: row.accountId, limit: limit)
            }
        }
        guard let deleted, deleted < limit else { return }
        try placement.write(deadline: deadline) { db in
            let state = try PlacementDatabase.state(in: db)
            guard state.row(of: row.accountId) == row else { return }
            if row.shard == state.router.shard(for: row.accountId) {
                try PlacementDatabase.remove(row.accountId, in: db)
            } else {
                var done = row
                done.leftoverOn = nil
                try PlacementDatabase.save(done, in: db)
            }
        }
    }

    /// The placement, with each shard's note count when `counting` (a step's answer leaves it
    /// out: counting every shard costs more than a step). A move's copies on its target and the
    /// ones left on its old shard don't count; counted again if a move started or switched
    /// meanwhile.
    func describe(counting: Bool = true, deadline: Date?) async throws -> PlacementSnapshot {
        while true {
            let state = try placement.state()
            var notesPerShard: [Int] = []
            if counting {
                notesPerShard = Array(repeating: 0, count: state.shardCount)
                do {
                    for index in state.liveShards {
                        let hidden = state.rows.values.filter { $0.movingTo == index || $0.leftoverOn == index }.map(\.accountId)
                        notesPerShard[index] = try await shard(index).reading(deadline: deadline) { rows in
                            try hidden.reduce(try rows.totalCount()) { $0 - (try rows.count(of: $1)) }
                        }
                    }
                } catch {
                    if try placement.version() != state.version { continue }   // a shard was retired meanwhile
                    throw error
                }
                guard try placement.version() == state.version else { continue }
            }
            let router = state.router
            let moves = state.moving.map { row in
                AccountMove(accountId: row.accountId, from: row.leftoverOn ?? row.shard, to: row.movingTo ?? row.shard,
                            copied: row.copied, total: row.total, switched: row.leftoverOn != nil)
            }
            let notesLeft = moves.filter { !$0.switched }.reduce(0) { $0 + max(0, $1.total - $1.copied) }
            return PlacementSnapshot(
                shardCount: state.shardCount,
                engines: (0..<state.shardCount).map(state.engine(of:)),
                states: (0..<state.shardCount).map(state.state(of:)),
                rule: state.rule,
                homes: state.rows.filter { $0.value.shard != router.shard(for: $0.key) }.mapValues(\.shard),
                moves: moves, notesPerShard: notesPerShard,
                change: state.change.map {
                    ShardSetChange(kind: $0.kind, from: $0.from, to: $0.to, engine: $0.engine, accountsLeft: moves.count, notesLeft: notesLeft)
                },
                verified: state.verified, recopied: state.recopied,
                undropped: state.shards.filter { $0.value.state == .retired && !$0.value.dropped }.map(\.key).sorted())
        }
    }
}
