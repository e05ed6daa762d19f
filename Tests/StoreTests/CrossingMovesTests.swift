import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport
@testable import Store

/// Moves in opposite directions (a growth 2 → 3 queues 0 → 1 and 1 → 0) under two stores on
/// one data dir — two proxy versions — with a writer on each: the one lock order
/// (`ShardLocks`) means no write, copy or switch waits on another for long, and nothing is
/// lost (docs/RESHARDING.md, "Lock order"). Without it, the two writers each hold the home
/// shard the other's mirror needs, until SQLite's busy timeout fails one of them.
@Suite struct CrossingMovesTests {
    let directory = TemporaryDirectory()
    var dataDirectory: DataDirectory { DataDirectory(path: directory.path) }

    /// An account whose hash placement for two shards is `shard`.
    static func account(on shard: Int) -> UUID {
        while true {
            let id = UUID()
            if ShardRouter(shardCount: 2).shard(for: id) == shard { return id }
        }
    }

    /// On PostgreSQL shards the lock is the shard's row lock, which two stores (two proxy
    /// versions) on one server queue on as they do on a file's.
    @Test(arguments: ShardEngine.allCases)
    func crossingMovesUnderTwoStoresAndTwoWritersNeverWaitOnEachOther(engine: ShardEngine) async throws {
        let postgres = engine == .postgres ? try TestPostgres.settings() : nil
        let first = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2, engineIfNew: engine, postgres: postgres)
        let second = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2, engineIfNew: engine, postgres: postgres)
        let accounts = [Self.account(on: 0), Self.account(on: 1)]
        for account in accounts {
            for index in 0..<150 {
                let now = Note.now()
                try await first.createNote(accountId: account, note: Note(creator: account, createdAt: now, updatedAt: now, content: "seed \(index)"))
            }
        }
        let stop = Shared(false)

        /// Writes on both accounts (creates, edits, deletes); on the first store it also queues
        /// the crossing moves whenever none run and takes their steps, until three crossings
        /// are done — then both stop.
        @Sendable func writer(_ store: ShardedNoteStore, name: String, moves: Bool) async throws -> (kept: [Note], longest: Duration, crossings: Int) {
            var kept: [Note] = []
            var longest = Duration.zero
            var crossings = 0
            var round = 0
            @discardableResult func timed<T>(_ body: () async throws -> T) async throws -> T {
                let start = ContinuousClock.now
                defer { longest = max(longest, ContinuousClock.now - start) }
                return try await body()
            }
            while !stop.value {
                round += 1
                for account in accounts {
                    let now = Note.now()
                    let note = Note(creator: account, createdAt: now, updatedAt: now, content: "\(name) \(round)")
                    try await timed { try await store.createNote(accountId: account, note: note) }
                    let edited = note.edited(content: "\(name) \(round) edited")
                    try await timed { try await store.updateNote(accountId: account, note: edited) }
                    if round % 3 == 0 {
                        try await timed { try await store.deleteNote(accountId: account, note: edited) }
                    } else {
                        kept.append(edited)
                    }
                }
                guard moves else { continue }
                let placement = try await timed { try await store.stepPlacement() }
                if !placement.hasWork {
                    if crossings == 3 {
                        stop.update { $0 = true }
                        break
                    }
                    for account in accounts {
                        try await timed { try await store.moveAccount(account, toShard: 1 - placement.shard(of: account)) }
                    }
                    crossings += 1
                }
            }
            return (kept, longest, crossings)
        }

        async let one = writer(first, name: "first", moves: true)
        async let two = writer(second, name: "second", moves: false)
        let (a, b) = try await (one, two)
        while try await first.stepPlacement().hasWork {}

        #expect(a.crossings == 3)
        #expect(a.longest < .seconds(1), "longest call on the first store: \(a.longest)")
        #expect(b.longest < .seconds(1), "longest call on the second store: \(b.longest)")
        var stored: [Note] = []
        for account in accounts { stored += try await second.listNotes(accountId: account).filter { !$0.content.hasPrefix("seed") } }
        #expect(stored.count == a.kept.count + b.kept.count, "every note present once")
        #expect(Set(stored) == Set(a.kept + b.kept))
    }

    @Test func aWriteThatCannotGetItsShardLockByItsDeadlineCommitsNothing() async throws {
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2)
        let account = Self.account(on: 0)
        let holder = try ShardLockHolder(path: dataDirectory.shardURL(0).path)
        let now = Note.now()
        let note = Note(creator: account, createdAt: now, updatedAt: now, content: "too late")
        let deadline = Date() + 0.3
        let start = ContinuousClock.now
        await #expect(throws: StoreError.deadlinePassed(deadline)) {
            try await store.perform(.createNote(accountId: account, note: note), deadline: deadline) { _ in }
        }
        #expect(ContinuousClock.now - start < .seconds(2), "the wait ended at the deadline, not the busy timeout")
        holder.release()
        #expect(try await store.getNote(accountId: account, noteId: note.id) == nil, "nothing landed later")
    }

    @Test func aWritePastItsDeadlineOnceItHoldsTheLocksCommitsNothing() async throws {
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2)
        let account = UUID()
        let now = Note.now()
        let note = Note(creator: account, createdAt: now, updatedAt: now, content: "late")
        let deadline = Date() - 0.001
        await #expect(throws: StoreError.deadlinePassed(deadline)) {
            try await store.perform(.createNote(accountId: account, note: note), deadline: deadline) { _ in }
        }
        #expect(try await store.countNotes(accountId: account) == 0)
    }

    @Test func aCreateSentAgainAfterADeleteLeavesTheNoteDeletedAlsoAfterAMove() async throws {
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2)
        let account = Self.account(on: 0)
        let now = Note.now()
        let note = Note(creator: account, createdAt: now, updatedAt: now, content: "deleted by someone else")
        let other = Note(creator: account, createdAt: now, updatedAt: now, content: "kept")
        try await store.createNote(accountId: account, note: note)
        try await store.createNote(accountId: account, note: other)
        try await store.deleteNote(accountId: account, note: note)
        try await store.createNote(accountId: account, note: note)   // the first try's retry
        #expect(try await store.getNote(accountId: account, noteId: note.id) == nil)

        var reused = note
        reused.createdAt = now + 5
        await #expect(throws: StoreError.noteAlreadyExists(note.id), "another note under a deleted id") {
            try await store.createNote(accountId: account, note: reused)
        }

        try await store.moveAccount(account, toShard: 1)
        while try await store.stepPlacement().hasWork {}
        #expect(try store.home(of: account) == 1)
        try await store.createNote(accountId: account, note: note)   // a retry after the move
        #expect(try await store.listNotes(accountId: account) == [other], "the tombstone moved with the account")
    }

    /// An account whose last note was just deleted has no notes, only a tombstone: a growth
    /// must move it all the same, or a create of that note sent again would find nothing on
    /// the account's new shard and bring the note back.
    @Test func aGrowthCarriesTheTombstonesOfAnAccountWithoutNotes() async throws {
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2)
        var account = UUID()
        while ShardRouter(shardCount: 2).shard(for: account) == ShardRouter(shardCount: 3).shard(for: account) { account = UUID() }
        let now = Note.now()
        let note = Note(creator: account, createdAt: now, updatedAt: now, content: "the last note, deleted")
        try await store.createNote(accountId: account, note: note)
        try await store.deleteNote(accountId: account, note: note)
        try await store.growShards(to: 3)
        while try await store.stepPlacement().hasWork {}
        #expect(try store.home(of: account) == ShardRouter(shardCount: 3).shard(for: account))
        try await store.createNote(accountId: account, note: note)   // the first try's retry
        #expect(try await store.getNote(accountId: account, noteId: note.id) == nil)
    }

    @Test func anUpdateWithTheStampOfTheStoredNoteNeverReplacesIt() async throws {
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2)
        let account = UUID()
        let now = Note.now()
        let original = Note(creator: account, createdAt: now, updatedAt: now, content: "original")
        try await store.createNote(accountId: account, note: original)
        // Two edits in one millisecond: the second is stamped after the first.
        let first = original.edited(content: "first", at: now)
        let second = first.edited(content: "second", at: now)
        #expect(first.updatedAt > original.updatedAt && second.updatedAt > first.updatedAt)
        try await store.updateNote(accountId: account, note: first)
        try await store.updateNote(accountId: account, note: second)
        try await store.updateNote(accountId: account, note: first)   // a late retry of the first
        var sameStamp = second
        sameStamp.content = "same stamp, other text"
        try await store.updateNote(accountId: account, note: sameStamp)
        #expect(try await store.getNote(accountId: account, noteId: original.id) == second)
    }

    @Test func oneNoteIdUnderTwoAccountsMovesOntoOneShard() async throws {
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2)
        let (left, right) = (Self.account(on: 0), Self.account(on: 1))
        let now = Note.now()
        let id = UUID()
        try await store.createNote(accountId: left, note: Note(id: id, creator: left, createdAt: now, updatedAt: now, content: "left"))
        try await store.createNote(accountId: right, note: Note(id: id, creator: right, createdAt: now, updatedAt: now, content: "right"))
        try await store.moveAccount(right, toShard: 0)
        while try await store.stepPlacement().hasWork {}
        #expect(try store.home(of: right) == 0)
        #expect(try await store.getNote(accountId: left, noteId: id)?.content == "left")
        #expect(try await store.getNote(accountId: right, noteId: id)?.content == "right")
        let later = UUID()   // and the next move is not stalled behind it
        try await store.createNote(accountId: later, note: Note(creator: later, createdAt: now, updatedAt: now, content: "x"))
        try await store.moveAccount(later, toShard: 1 - store.home(of: later))
        while try await store.stepPlacement().hasWork {}
        #expect(try await store.countNotes(accountId: later) == 1)
    }
}

/// Holds a shard file's write lock from outside the store (another process would), on a
/// thread of its own, until released.
final class ShardLockHolder: Sendable {
    private let held = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        let (held, done) = (held, done)
        Thread.detachNewThread {
            try? queue.writeWithoutTransaction { db in
                try db.beginTransaction(.immediate)
                held.signal()
                done.wait()
                try db.rollback()
            }
            try? queue.close()
        }
        held.wait()
    }

    func release() { done.signal() }
}
