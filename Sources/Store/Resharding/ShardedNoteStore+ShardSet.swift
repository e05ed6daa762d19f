import Foundation

/// Changing the set of active shards — growing, draining, migrating to another engine — as one
/// operation (docs/RESHARDING.md, "Changing the shard set"): shards are added (state `new`),
/// then, under every active shard's write lock, the new set becomes the placement rule and a
/// move is queued for each account with rows whose home changes; the moves run as any move
/// does, and once none is left the drained shards are retired and their storage dropped.
extension ShardedNoteStore {
    /// What a change asks for.
    struct ShardSetPlan {
        var kind: ShardSetChange.Kind
        /// Engines of the shards to add, one each.
        var adding: [ShardEngine]
        /// Active shards to drain.
        var draining: [Int]
        /// The engine a migration moves to.
        var engine: ShardEngine?
    }

    /// Grows the active shards to `count`, the new ones on `engine` (nil: the newest active
    /// shard's). The same growth asked again (a retry) answers as the first did.
    func grow(to count: Int, engine: ShardEngine?, deadline: Date?) async throws -> (from: Int, to: Int) {
        let state = try placement.state()
        let active = state.activeShards
        if let change = state.change, change.kind == .grow, change.to == count { return (change.from, change.to) }
        guard count <= Self.maxShards else { throw StoreError.invalidInput("count must be at most \(Self.maxShards), got \(count)") }
        guard count > active.count else {
            throw StoreError.invalidInput("the data dir has \(active.count) active shards; a count grows it (to shrink, drain a shard: POST /shards/{n}/drain), got \(count)")
        }
        let engine = engine ?? state.engine(of: active.last ?? 0)
        return try await change(ShardSetPlan(kind: .grow, adding: Array(repeating: engine, count: count - active.count), draining: []),
                                deadline: deadline)
    }

    /// Moves every account off shard `index`, then retires it. Asked again while that runs,
    /// answers as the first time did.
    func drain(_ index: Int, deadline: Date?) async throws -> (from: Int, to: Int) {
        let state = try placement.state()
        if let change = state.change, change.kind == .drain, state.state(of: index) == .draining || state.leavingShards.contains(index) {
            return (change.from, change.to)
        }
        guard (0..<state.shardCount).contains(index) else {
            throw StoreError.invalidInput("shard \(index) does not exist; the data dir has shards 0…\(state.shardCount - 1)")
        }
        guard state.state(of: index) == .active else {
            throw StoreError.invalidInput("shard \(index) is \(state.state(of: index).rawValue); only an active shard can be drained")
        }
        guard state.activeShards.count > 1 else { throw StoreError.invalidInput("shard \(index) is the last active shard; it cannot be drained") }
        return try await change(ShardSetPlan(kind: .drain, adding: [], draining: [index]), deadline: deadline)
    }

    /// Replaces every active shard on the other engine with a new one on `engine`. Asked
    /// again while that runs, answers as the first time did.
    func migrate(to engine: ShardEngine, deadline: Date?) async throws -> (from: Int, to: Int) {
        let state = try placement.state()
        if let change = state.change, change.kind == .migrate, change.engine == engine { return (change.from, change.to) }
        let leaving = state.activeShards.filter { state.engine(of: $0) != engine }
        guard !leaving.isEmpty else {
            throw StoreError.conflict("every active shard is on \(engine.rawValue) already; nothing to migrate")
        }
        return try await change(ShardSetPlan(kind: .migrate, adding: Array(repeating: engine, count: leaving.count),
                                             draining: leaving, engine: engine), deadline: deadline)
    }

    /// Carries out a change. First, in one placement transaction, it is *recorded* — the
    /// shards it adds as `new`, the ones it drains as `leaving`, the change itself — so no move
    /// and no other change can start until it is done (`refuseWhileBusy`). Then its shards'
    /// storage is made and the rule switched (`prepareAndSwitch`). Anything that stops that
    /// second part (a crash, a server down) leaves the change recorded, and the next step
    /// finishes it: a change accepted is carried out.
    private func change(_ plan: ShardSetPlan, deadline: Date?) async throws -> (from: Int, to: Int) {
        if plan.adding.contains(.postgres), postgres == nil {
            throw StoreError.invalidInput("shards on PostgreSQL need a server: start notely with --postgres URL (scripts/run.sh --postgres)")
        }
        let counts = try placement.write(deadline: deadline) { db in
            let state = try PlacementDatabase.state(in: db)
            try Self.refuseWhileBusy(state)
            let from = state.activeShards.count, to = from - plan.draining.count + plan.adding.count
            guard to <= Self.maxShards else { throw StoreError.invalidInput("at most \(Self.maxShards) shards can be active") }
            var next = state.shardCount
            for engine in plan.adding {
                try PlacementDatabase.setShard(next, engine: engine, state: .new, in: db)
                next += 1
            }
            for index in plan.draining { try PlacementDatabase.setState(.active, of: index, leaving: true, in: db) }
            try PlacementDatabase.set("shardCount", next, in: db)
            try PlacementDatabase.setChange(PlacementState.Change(kind: plan.kind, from: from, to: to, engine: plan.engine), in: db)
            try PlacementDatabase.bumpVersion(in: db)
            return (from, to)
        }
        do {
            try await prepareAndSwitch(deadline: deadline)
        } catch {
            logger.warning("the shard set change is recorded; its switch failed and the next step tries it again: \(error)")
        }
        return counts
    }

    /// Makes the storage of the recorded change's `new` shards, then switches
    /// (`switchShardSet`); nothing to do once the switch ran.
    func prepareAndSwitch(deadline: Date?) async throws {
        let state = try readPlacement()
        guard state.isPreparing else { return }
        for index in state.newShards { _ = try await shard(index).perform(.healthCheck, deadline: deadline) }   // makes its file or tables
        try await switchShardSet(deadline: deadline)
    }

    /// Under every active shard's write lock, so no note lands anywhere meanwhile: the `new`
    /// shards become active and the `leaving` ones draining, the rule becomes rendezvous over
    /// the new set, and each account with rows (notes, or tombstones) that the new rule places
    /// elsewhere is queued to move there. Only if the placement is still the one read before
    /// the locks (its version unchanged): a switch that ran meanwhile, in this process or
    /// another, is not run twice.
    private func switchShardSet(deadline: Date?) async throws {
        let state = try readPlacement()
        guard state.isPreparing else { return }
        let active = state.activeShards
        let adding = state.newShards, draining = state.leavingShards
        let locked = try active.map { try shard($0) }
        try await mappingErrors(shard: "placement") {
            try await ShardLocks.withWriteLocks(on: locked, deadline: deadline) { held in
                try placement.write(deadline: deadline) { db in
                    let current = try PlacementDatabase.state(in: db)
                    guard current.version == state.version else {
                        throw StoreError.conflict("the placement changed while the shard set was switching; the next step tries again")
                    }
                    let newActive = active.filter { !draining.contains($0) } + adding
                    let router = ShardRouter(active: newActive, rule: .rendezvous)
                    var queue = try PlacementDatabase.nextQueuePosition(in: db)
                    var withRows = Set<UUID>()
                    for index in active {
                        for (accountId, notes) in try held[index].accountsWithRows() where current.home(of: accountId) == index {
                            withRows.insert(accountId)
                            let target = router.shard(for: accountId)
                            if target == index {
                                try PlacementDatabase.remove(accountId, in: db)
                            } else {
                                try PlacementDatabase.save(PlacementRow(accountId: accountId, shard: index, movingTo: target,
                                                                        total: notes, queuedAt: queue), in: db)
                                queue += 1
                            }
                        }
                    }
                    for row in current.rows.values where !withRows.contains(row.accountId) { try PlacementDatabase.remove(row.accountId, in: db) }
                    for index in adding { try PlacementDatabase.setState(.active, of: index, in: db) }
                    for index in draining { try PlacementDatabase.setState(.draining, of: index, in: db) }
                    try PlacementDatabase.setRule(.rendezvous, in: db)
                    try PlacementDatabase.bumpVersion(in: db)
                }
            }
        }
    }

    private static func refuseWhileBusy(_ state: PlacementState) throws {
        if let change = state.change {
            throw StoreError.conflict("the shard set is already changing (\(change.kind.rawValue) \(change.from) → \(change.to)); one change at a time")
        }
        if let move = state.moving.first {
            throw StoreError.conflict("account \(move.accountId.uuidText) is moving; change the shard set when it is done")
        }
    }

    /// With every move of a change done: retires the next draining shard — once it holds no
    /// row, checked under its lock — and, with none left, ends the change. (The retired shards'
    /// storage is dropped once nothing else is left to do: `step`.)
    func finishChange(_ state: PlacementState, deadline: Date?) async throws {
        guard state.change != nil else { return }
        guard let draining = (0..<state.shardCount).first(where: { state.state(of: $0) == .draining }) else {
            try placement.write(deadline: deadline) { db in
                let current = try PlacementDatabase.state(in: db)
                guard current.moving.isEmpty, !current.liveShards.contains(where: { current.state(of: $0) == .draining }) else { return }
                try PlacementDatabase.setChange(nil, in: db)
            }
            return
        }
        let drained = try shard(draining)
        try await mappingErrors(shard: drained.name) {
            try await ShardLocks.withWriteLocks(on: [drained], deadline: deadline) { held in
                let left = try held[draining].accountsWithRows()
                guard left.isEmpty else {
                    // A home is never a draining shard once the switch ran, and clean-up ran to
                    // the end of every move: rows here mean a bug, and are kept, not dropped.
                    throw StoreError.unavailable("\(drained.name) still has rows of \(left.count) accounts; it is not retired")
                }
                try placement.write(deadline: deadline) { db in
                    let current = try PlacementDatabase.state(in: db)
                    guard current.moving.isEmpty, current.state(of: draining) == .draining,
                          !current.rows.values.contains(where: { $0.shard == draining }) else { return }
                    try PlacementDatabase.setState(.retired, of: draining, in: db)
                    try PlacementDatabase.bumpVersion(in: db)
                }
            }
        }
        logger.info("\(drained.name) is empty and retired")
    }

    /// Deletes a retired shard's file (with its WAL) or drops its schema, then records it gone.
    /// The version went up when it was retired, so no call routed by an older placement
    /// commits anything on it.
    func dropStorage(of index: Int, state: PlacementState, deadline: Date?) async throws {
        let cached = forget(index)
        switch state.engine(of: index) {
        case .sqlite:
            try cached?.close()
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let url = URL(fileURLWithPath: dataDirectory.shardURL(index).path + suffix)
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            }
        case .postgres:
            guard let postgres else { throw StoreError.unavailable("shard-\(index) is on PostgreSQL; start notely with --postgres URL") }
            try await PostgresNoteShard(index: index, schema: state.postgresSchema(of: index), server: postgres).drop(deadline: deadline)
        }
        try placement.write(deadline: deadline) { db in try PlacementDatabase.markDropped(index, in: db) }
        logger.info("shard-\(index)'s \(state.engine(of: index) == .sqlite ? "file" : "schema") dropped")
    }
}
