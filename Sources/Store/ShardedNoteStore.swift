import Foundation
import GRDB
import Synchronization

/// The notes of every account, spread over `shard-0 … shard-N-1` in one data dir, each account
/// on the shard `placement.sqlite` names — its hash placement unless it was moved.
///
/// Several processes may open one data dir at once (two proxy versions during a rollout), so
/// nothing here trusts memory about placement: every call reads it fresh, and the rules below
/// make a call and a move that interleave in any order agree (docs/RESHARDING.md):
/// - a write runs under its home shard's write lock and reads the placement after taking it,
///   and a move changes an account's home only under the old home's write lock;
/// - a read checks that the placement's version did not change around it, else reads again.
public final class ShardedNoteStore: NoteStore {
    /// Notes per step of a move: what one `stepPlacement` copies or deletes under a lock.
    public static let moveBatch = 100
    /// The most shards a data dir can grow to.
    public static let maxShards = 64

    let dataDirectory: DataDirectory
    let durability: Durability
    let placement: PlacementDatabase
    /// The shard files this process has opened, by index; more open as the count grows.
    private let opened = Mutex<[SQLiteNoteShard]>([])

    /// Opens a data dir that must have `shardCount` shards (a new one gets them); fails with
    /// `shardCountMismatch` when it has another count.
    public convenience init(dataDirectory: DataDirectory, shardCount: Int, durability: Durability = .default) throws {
        try self.init(dataDirectory: dataDirectory, shardCount: shardCount, exactly: true, durability: durability)
    }

    /// Opens a data dir with the shard count it has; a new one gets `shardCountIfNew`.
    public convenience init(dataDirectory: DataDirectory, shardCountIfNew: Int, durability: Durability = .default) throws {
        try self.init(dataDirectory: dataDirectory, shardCount: shardCountIfNew, exactly: false, durability: durability)
    }

    private init(dataDirectory: DataDirectory, shardCount: Int, exactly: Bool, durability: Durability) throws {
        guard (1...Self.maxShards).contains(shardCount) else {
            throw StoreError.invalidInput("shard count must be 1…\(Self.maxShards), got \(shardCount)")
        }
        try dataDirectory.create()
        self.dataDirectory = dataDirectory
        self.durability = durability
        placement = try PlacementDatabase(url: dataDirectory.placementURL, durability: durability,
                                          initialShardCount: SQLiteNoteShard.recordedShardCount(at: dataDirectory.shardURL(0)) ?? shardCount)
        let stored = try placement.state().shardCount
        if exactly, stored != shardCount {
            throw StoreError.shardCountMismatch(dataDir: dataDirectory.url.path, stored: stored, requested: shardCount)
        }
        for index in 0..<stored { _ = try shard(index) }
    }

    /// The data dir's shard count now (it grows with `growShards`).
    public func shardCount() throws -> Int { try placement.state().shardCount }

    /// The shard that serves the account's notes now.
    public func home(of accountId: UUID) throws -> Int { try placement.home(of: accountId).shard }

    /// Shard `index`, opened (and created, recording `countIfNew`) on first use.
    func shard(_ index: Int, countIfNew: Int? = nil) throws -> SQLiteNoteShard {
        try opened.withLock { shards in
            while shards.count <= index {
                let next = shards.count
                shards.append(try SQLiteNoteShard(url: dataDirectory.shardURL(next), index: next,
                                                  shardCount: countIfNew ?? index + 1, durability: durability))
            }
            return shards[index]
        }
    }

    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        switch call {
        case .listNotes(let accountId, _, _), .getNote(let accountId, _), .countNotes(let accountId):
            return try await read(call, of: accountId)
        case .createNote(let accountId, let note), .updateNote(let accountId, let note), .deleteNote(let accountId, let note):
            try await write(call, of: accountId, noteId: note.id)
            return .done
        case .totalNotes:
            return .count(try await describe().notesPerShard.reduce(0, +))
        case .healthCheck:
            _ = try placement.state()
            for index in 0..<(try shardCount()) { try await shard(index).healthCheck() }
            return .done
        case .moveAccount(let accountId, let shard):
            let (from, to) = try await startMove(of: accountId, to: shard)
            return .shardChange(from: from, to: to)
        case .growShards(let count):
            let (from, to) = try await grow(to: count)
            return .shardChange(from: from, to: to)
        case .stepPlacement:
            try await step()
            return .placement(try await describe())
        case .describePlacement:
            return .placement(try await describe())
        }
    }

    /// Reads on the account's home; again if a move started or switched meanwhile, so a read
    /// never answers from a shard that had stopped serving the account.
    private func read(_ call: NoteStoreCall, of accountId: UUID) async throws -> NoteStoreAnswer {
        while true {
            let before = try placement.home(of: accountId)
            let answer: Result<NoteStoreAnswer, any Error>
            do {
                answer = .success(try await shard(before.shard).perform(call))
            } catch {
                answer = .failure(error)
            }
            if try placement.home(of: accountId).version == before.version { return try answer.get() }
        }
    }

    /// Writes on the account's home, under its write lock. The placement is read again once
    /// the lock is held: a move switches homes only under that lock, so what this read says
    /// holds until the write commits. While the account moves, the note's new state is copied
    /// to the target too, before this shard commits.
    private func write(_ call: NoteStoreCall, of accountId: UUID, noteId: UUID) async throws {
        while true {
            let guess = try placement.home(of: accountId)
            let target = try shard(guess.shard)
            let landed = try await target.write { db -> Bool in
                let home = try placement.home(of: accountId)
                guard home.shard == guess.shard else { return false }
                try SQLiteNoteShard.applyWrite(call, in: db)
                if let mirror = home.mirror {
                    try Self.copy(noteId: noteId, of: accountId, from: db, to: shard(mirror))
                }
                return true
            }
            if landed { return }
        }
    }

    /// Makes the target's row of one note what the source's is now (or removes it).
    static func copy(noteId: UUID, of accountId: UUID, from source: Database, to target: SQLiteNoteShard) throws {
        let note = try SQLiteNoteShard.noteRow(id: noteId, creator: accountId, in: source)
        try target.pool.write { db in
            if let note {
                try SQLiteNoteShard.put(note, in: db)
            } else {
                try SQLiteNoteShard.deleteNotes(of: accountId, id: noteId, in: db)
            }
        }
    }

    public func close() throws {
        try opened.withLock { shards in
            for shard in shards { try shard.close() }
        }
        try placement.close()
    }
}
