import Foundation
import GRDB
import Logging
import Synchronization

/// The notes of every account, spread over `shard-0 … shard-N-1` in one data dir, each account
/// on the shard `placement.sqlite` names — its hash placement unless it was moved.
///
/// Several processes may open one data dir at once (two proxy versions during a rollout), so
/// what this process remembers of the placement is trusted only while the placement's version
/// in the file is the one it read; the rules below make a call and a move that interleave in
/// any order agree (docs/RESHARDING.md):
/// - a write runs under its home shard's write lock and checks the version after taking it,
///   and a move changes an account's home only under the old home's write lock;
/// - a read checks the version after reading; if it moved, it reads again.
/// So a call costs one read of the version beside its own, and the whole placement is read
/// again only when it changed.
public final class ShardedNoteStore: NoteStore {
    /// Notes per step of a move when the caller names no batch size: what one `stepPlacement`
    /// copies or deletes under a lock.
    public static let moveBatch = 100
    /// The largest batch a step takes, whatever it is asked (a step holds two shards' locks).
    public static let maxMoveBatch = 5_000
    /// The most shards a data dir can have active.
    public static let maxShards = 64

    let dataDirectory: DataDirectory
    let durability: Durability
    let placement: PlacementDatabase
    /// The server of the data dir's PostgreSQL shards, when it has a URL.
    let postgres: PostgresServer?
    let logger = Logger(label: "notely.store")
    /// The shards this process has opened, by index; more open as the count grows.
    private let opened = Mutex<[Int: any NoteShard]>([:])
    /// The placement as this process last read it (valid while its version is the file's).
    private let remembered = Mutex<PlacementState?>(nil)

    /// Opens a data dir that must have `shardCount` shards (a new one gets them, on
    /// `engineIfNew`); fails with `shardCountMismatch` when it has another count. `postgres` is
    /// the server of the data dir's `postgres` shards.
    public convenience init(dataDirectory: DataDirectory, shardCount: Int, engineIfNew: ShardEngine = .sqlite,
                            postgres: PostgresSettings? = nil, durability: Durability = .default) throws {
        try self.init(dataDirectory: dataDirectory, shardCount: shardCount, exactly: true, engineIfNew: engineIfNew,
                      postgres: postgres, durability: durability)
    }

    /// Opens a data dir with the shard count it has; a new one gets `shardCountIfNew`, on
    /// `engineIfNew`.
    public convenience init(dataDirectory: DataDirectory, shardCountIfNew: Int, engineIfNew: ShardEngine = .sqlite,
                            postgres: PostgresSettings? = nil, durability: Durability = .default) throws {
        try self.init(dataDirectory: dataDirectory, shardCount: shardCountIfNew, exactly: false, engineIfNew: engineIfNew,
                      postgres: postgres, durability: durability)
    }

    private init(dataDirectory: DataDirectory, shardCount: Int, exactly: Bool, engineIfNew: ShardEngine,
                 postgres: PostgresSettings?, durability: Durability) throws {
        guard (1...Self.maxShards).contains(shardCount) else {
            throw StoreError.invalidInput("shard count must be 1…\(Self.maxShards), got \(shardCount)")
        }
        if engineIfNew == .postgres, postgres == nil {
            throw StoreError.invalidInput("--engine postgres needs a server: give --postgres URL (or set \(PostgresSettings.environmentVariable))")
        }
        try dataDirectory.create()
        self.dataDirectory = dataDirectory
        self.durability = durability
        let recorded = try SQLiteNoteShard.recordedShardCount(at: dataDirectory.shardURL(0))
        placement = try PlacementDatabase(url: dataDirectory.placementURL, durability: durability,
                                          initialShardCount: recorded ?? shardCount, initialEngine: recorded == nil ? engineIfNew : .sqlite,
                                          legacy: recorded != nil)
        let state = try placement.state()
        self.postgres = postgres.map { PostgresServer(settings: $0, applicationName: state.postgresApplicationName) }
        try readPlacement()
        if exactly, state.activeShards.count != shardCount {
            throw StoreError.shardCountMismatch(dataDir: dataDirectory.url.path, stored: state.activeShards.count, requested: shardCount)
        }
        for index in state.liveShards where state.engine(of: index) == .sqlite { _ = try shard(index) }
    }

    /// The data dir's count of active shards now (it changes with `growShards`, `drainShard`).
    public func shardCount() throws -> Int { try currentPlacement().activeShards.count }

    /// The active shard count as this process last read it: no I/O (for `Ready`, asked every 250 ms).
    public var lastKnownShardCount: Int { remembered.withLock { $0?.activeShards.count } ?? 0 }

    /// The shard that serves the account's notes now.
    public func home(of accountId: UUID) throws -> Int { try currentPlacement().home(of: accountId) }

    /// The placement as last read: no I/O, and maybe out of date — every use checks the version.
    private func rememberedPlacement() throws -> PlacementState {
        if let state = remembered.withLock({ $0 }) { return state }
        return try readPlacement()
    }

    /// The placement now: the remembered one if the version has not moved, else read again.
    func currentPlacement() throws -> PlacementState {
        let state = try rememberedPlacement()
        return try placement.version() == state.version ? state : try readPlacement()
    }

    /// Reads the whole placement and remembers it; closes the shards it finds retired.
    @discardableResult
    func readPlacement() throws -> PlacementState {
        let state = try placement.state()
        remembered.withLock { $0 = state }
        for index in opened.withLock({ Array($0.keys) }) where state.state(of: index) == .retired { try? forget(index)?.close() }
        return state
    }

    /// Takes shard `index` out of the shards this process has open; the caller closes it.
    func forget(_ index: Int) -> (any NoteShard)? {
        opened.withLock { $0.removeValue(forKey: index) }
    }

    /// Shard `index` on the engine the placement records for it, opened (and created) on
    /// first use. A retired shard is never opened again (that would make its file anew):
    /// `ShardRetired` tells the caller to route by a fresh placement.
    func shard(_ index: Int) throws -> any NoteShard {
        if let shard = opened.withLock({ $0[index] }) { return shard }
        let state = try placement.state()
        guard state.state(of: index) != .retired, index < state.shardCount else { throw ShardRetired(index: index) }
        let shard: any NoteShard
        switch state.engine(of: index) {
        case .sqlite:
            shard = try SQLiteNoteShard(url: dataDirectory.shardURL(index), index: index, shardCount: state.shardCount,
                                        durability: durability)
        case .postgres:
            guard let postgres else {
                throw StoreError.unavailable("\(ShardRouter.shardName(index)) is on PostgreSQL; start notely with --postgres URL "
                                             + "(or set \(PostgresSettings.environmentVariable))")
            }
            shard = PostgresNoteShard(index: index, schema: state.postgresSchema(of: index), server: postgres)
        }
        return opened.withLock { opened in
            if let first = opened[index] {
                try? shard.close()
                return first
            }
            opened[index] = shard
            return shard
        }
    }

    /// The engine of each shard in use now.
    public func engines() throws -> [ShardEngine] {
        let state = try currentPlacement()
        return state.liveShards.map(state.engine(of:))
    }

    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        try await perform(call, deadline: nil) { _ in }
    }

    /// Runs the call; no lock wait outlives `deadline`, and a write still holding none of its
    /// effects by then commits nothing (`StoreError.deadlinePassed`). `served(shard)` learns
    /// which shard served an account's call (the proxy counts data-store access by it).
    public func perform(_ call: NoteStoreCall, deadline: Date?, served: (Int) -> Void) async throws -> NoteStoreAnswer {
        do {
            return try await route(call, deadline: deadline, served: served)
        } catch let lost as ServerUnreachable {
            throw StoreError.unavailable(lost.message)
        }
    }

    private func route(_ call: NoteStoreCall, deadline: Date?, served: (Int) -> Void) async throws -> NoteStoreAnswer {
        switch call {
        case .listNotes(let accountId, _, _), .getNote(let accountId, _), .countNotes(let accountId):
            return try await read(call, of: accountId, deadline: deadline, served: served)
        case .createNote(let accountId, let note):
            try await write(.create(note), of: accountId, deadline: deadline, served: served)
            return .done
        case .updateNote(let accountId, let note):
            try await write(.update(note), of: accountId, deadline: deadline, served: served)
            return .done
        case .deleteNote(let accountId, let note):
            try await write(.delete(note), of: accountId, deadline: deadline, served: served)
            return .done
        case .totalNotes:
            return .count(try await describe(deadline: deadline).notesPerShard.reduce(0, +))
        case .healthCheck:
            let state = try readPlacement()
            for index in state.liveShards where state.state(of: index) != .new {
                _ = try await shard(index).perform(.healthCheck, deadline: deadline)
            }
            return .done
        case .moveAccount(let accountId, let shard):
            let (from, to) = try await startMove(of: accountId, to: shard, deadline: deadline)
            return .shardChange(from: from, to: to)
        case .growShards(let count, let engine):
            let (from, to) = try await grow(to: count, engine: engine, deadline: deadline)
            return .shardChange(from: from, to: to)
        case .drainShard(let index):
            let (from, to) = try await drain(index, deadline: deadline)
            return .shardChange(from: from, to: to)
        case .migrateShards(let engine):
            let (from, to) = try await migrate(to: engine, deadline: deadline)
            return .shardChange(from: from, to: to)
        case .stepPlacement(let batch):
            let started = ContinuousClock.now
            try await step(batch: batch, deadline: deadline)
            let took = ContinuousClock.now - started
            var placement = try await describe(counting: false, deadline: deadline)
            placement.stepSeconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            return .placement(placement)
        case .describePlacement:
            return .placement(try await describe(deadline: deadline))
        }
    }

    /// Reads on the account's home; again if the placement's version moved meanwhile (a move
    /// started or switched), so a read never answers from a shard that had stopped serving the
    /// account. The version read after the shard read equal to the one the placement was read
    /// at means no home changed in between.
    private func read(_ call: NoteStoreCall, of accountId: UUID, deadline: Date?, served: (Int) -> Void) async throws -> NoteStoreAnswer {
        var state = try rememberedPlacement()
        while true {
            let home = state.home(of: accountId)
            let answer: Result<NoteStoreAnswer, any Error>
            do {
                answer = .success(try await shard(home).perform(call, deadline: deadline))
            } catch is ShardRetired {
                state = try readPlacement()
                continue
            } catch {
                answer = .failure(error)
            }
            if try placement.version() == state.version {
                served(home)
                return try answer.get()
            }
            state = try readPlacement()
        }
    }

    /// Writes on the account's home, under its write lock. The version is read once the lock
    /// is held: a move switches homes only under that lock, so if the version is the one the
    /// placement was read at, that placement holds until the write commits. While the account
    /// moves, the write holds the target's lock too (both in the one lock order, `ShardLocks`)
    /// and copies the note's new state there, committed before the home commits.
    ///
    /// A PostgreSQL server that drops the connection (it restarts, or a backend was killed) has
    /// applied nothing unless the COMMIT was on its way; either way the write runs again on
    /// another connection until the deadline: writes are safe to send again (`NoteRows`), and a
    /// delete that finds nothing after a COMMIT that may have landed is the success it was.
    private func write(_ change: NoteWrite, of accountId: UUID, deadline: Date?, served: (Int) -> Void) async throws {
        let until = deadline ?? Date() + ShardLocks.defaultWait
        var state = try rememberedPlacement()
        var mayHaveLanded = false
        while true {
            let home = state.home(of: accountId)
            let mirror = state.row(of: accountId)?.movingTo
            let landed: Bool
            do {
                let locked = try ([home] + (mirror.map { [$0] } ?? [])).map { try shard($0) }
                landed = try await mappingErrors(shard: ShardRouter.shardName(home)) {
                    try await ShardLocks.withWriteLocks(on: locked, deadline: deadline) { held -> Bool in
                        guard try placement.version() == state.version else { return false }
                        try NoteRows.apply(change, of: accountId, in: held[home])
                        if let mirror {
                            try NoteRows.copyNote(id: change.note.id, of: accountId, from: held[home], to: held[mirror])
                            try held.commit(mirror)
                        }
                        return true
                    }
                }
            } catch let lost as ServerUnreachable {
                guard Date() < until else {
                    served(home)
                    throw StoreError.unavailable("\(lost.message); it did not come back before the call's deadline")
                }
                mayHaveLanded = mayHaveLanded || lost.maybeCommitted
                state = try readPlacement()
                continue
            } catch StoreError.noteNotFound where mayHaveLanded && change.isDelete {
                served(home)
                return
            } catch {
                // Committed nothing (or only its copy on the target, which a retry converges):
                // if the placement moved meanwhile — the shard was retired, its tables dropped —
                // the write goes where the placement says now.
                if try placement.version() != state.version {
                    state = try readPlacement()
                    continue
                }
                served(home)
                throw error
            }
            if landed {
                served(home)
                return
            }
            state = try readPlacement()
        }
    }

    /// Shard `index` was retired since the placement a call was routed by: route it again.
    struct ShardRetired: Error {
        let index: Int
    }

    public func close() throws {
        try opened.withLock { shards in
            for shard in shards.values { try shard.close() }
        }
        postgres?.close()
        try placement.close()
    }
}
