import Foundation
import GRDB
import Testing
import TestSupport
@testable import Store

/// Live re-sharding on real shard files: moves in batches with writes between the steps, two
/// stores on one data dir (two proxy versions), growth, and what the files hold afterwards.
/// Crashes in the middle of a move are `ReshardingCrashTests` (a real proxy, `kill -9`).
@Suite struct ReshardingTests {
    let directory = TemporaryDirectory()
    var dataDirectory: DataDirectory { DataDirectory(path: directory.path) }

    func makeStore(shards: Int = 2) throws -> ShardedNoteStore {
        try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: shards)
    }

    func note(_ account: UUID, _ content: String) -> Note {
        Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
    }

    @Test func aMoveCarriesEveryNoteAcrossInBatchesWhileWritesGoOn() async throws {
        let store = try makeStore()
        let account = UUID()
        var expected: [UUID: Note] = [:]
        for index in 0..<(ShardedNoteStore.moveBatch * 2 + 30) {
            let created = note(account, "note \(index)")
            try await store.createNote(accountId: account, note: created)
            expected[created.id] = created
        }
        let from = try store.home(of: account)
        let to = 1 - from
        #expect(try await store.moveAccount(account, toShard: to) == (from, to))
        var steps = 0
        var switched = false
        while try await store.describePlacement().hasWork {
            // Between every two steps: a create, an update of a copied note, a delete.
            let created = note(account, "during step \(steps)")
            try await store.createNote(accountId: account, note: created)
            expected[created.id] = created
            var updated = expected.values.sorted { $0.createdAt < $1.createdAt }[steps]
            updated.content = "updated in step \(steps)"
            updated.updatedAt = Note.now()
            try await store.updateNote(accountId: account, note: updated)
            expected[updated.id] = updated
            let deleted = expected.values.sorted { $0.createdAt < $1.createdAt }.last!
            try await store.deleteNote(accountId: account, note: deleted)
            expected[deleted.id] = nil
            #expect(Set(try await store.listNotes(accountId: account)) == Set(expected.values), "step \(steps)")

            let placement = try await store.stepPlacement()
            switched = switched || placement.move(of: account)?.switched == true
            steps += 1
            #expect(steps < 20)
        }
        #expect(switched, "the move showed its clean-up phase")
        #expect(try store.home(of: account) == to)
        #expect(Set(try await store.listNotes(accountId: account)) == Set(expected.values))
        #expect(try rows(of: account, onShard: from) == 0, "nothing is left behind")
        #expect(try rows(of: account, onShard: to) == expected.count)
        let placement = try await store.describePlacement()
        #expect(placement.homes[account] == to)
        #expect(placement.notesPerShard.reduce(0, +) == expected.count)
        #expect(try await store.totalNotes() == expected.count)
    }

    @Test func twoStoresOnOneDataDirAgreeWhileOneMovesAndTheOtherWrites() async throws {
        let mover = try makeStore()
        let writer = try makeStore()   // a second proxy version, on the same files
        let account = UUID()
        for index in 0..<250 { try await writer.createNote(accountId: account, note: note(account, "before \(index)")) }
        let from = try writer.home(of: account)
        try await mover.moveAccount(account, toShard: 1 - from)
        let writes = Task {
            var created: [Note] = []
            for index in 0..<200 {
                let new = note(account, "concurrent \(index)")
                try await writer.createNote(accountId: account, note: new)
                created.append(new)
                let seen = try await writer.listNotes(accountId: account)
                if !created.allSatisfy({ seen.contains($0) }) { throw StoreError.unavailable("a read missed an acknowledged write") }
                await Task.yield()
            }
            return created
        }
        while try await mover.stepPlacement().hasWork { await Task.yield() }
        let created = try await writes.value
        let notes = try await mover.listNotes(accountId: account)
        #expect(notes.count == 450)
        #expect(Set(created).isSubset(of: Set(notes)))
        #expect(try rows(of: account, onShard: from) == 0)
    }

    @Test func growingMovesEveryAccountToItsHashPlacementAndKeepsTheCount() async throws {
        let store = try makeStore(shards: 2)
        let accounts = (0..<24).map { _ in UUID() }
        for account in accounts {
            for index in 0..<7 { try await store.createNote(accountId: account, note: note(account, "\(index)")) }
        }
        let quiet = UUID()   // an account with no notes moves by the rule alone
        #expect(try await store.growShards(to: 4) == (2, 4))
        #expect(try await store.growShards(to: 4) == (2, 4), "the same growth again is a retry, not an error")
        await #expect(throws: StoreError.self) { try await store.growShards(to: 5) }
        await #expect(throws: StoreError.self) { try await store.moveAccount(accounts[0], toShard: 3) }
        let growing = try await store.describePlacement()
        #expect(growing.change?.from == 2 && growing.change?.to == 4 && growing.change?.kind == .grow)
        #expect(growing.change?.accountsLeft == growing.moves.count && !growing.moves.isEmpty)
        #expect(try store.home(of: quiet) == ShardRouter(shardCount: 4).shard(for: quiet))
        while try await store.stepPlacement().hasWork {}
        let done = try await store.describePlacement()
        #expect(done.change == nil && done.homes.isEmpty && done.shardCount == 4)
        for account in accounts {
            let home = ShardRouter(shardCount: 4).shard(for: account)
            #expect(try store.home(of: account) == home)
            #expect(try rows(of: account, onShard: home) == 7)
            #expect(try await store.countNotes(accountId: account) == 7)
        }
        #expect(done.notesPerShard.allSatisfy { $0 > 0 }, "notes on every shard: \(done.notesPerShard)")
        #expect(done.notesPerShard.reduce(0, +) == 24 * 7)
        try store.close()

        let reopened = try makeStore(shards: 2)   // --shards only sets the count of a new data dir
        #expect(try reopened.shardCount() == 4)
        #expect(throws: StoreError.self) { _ = try ShardedNoteStore(dataDirectory: dataDirectory, shardCount: 2) }
        #expect(try await reopened.countNotes(accountId: accounts[5]) == 7)
    }

    @Test func movesRefuseWhatCannotBeDone() async throws {
        let store = try makeStore()
        let account = UUID()
        try await store.createNote(accountId: account, note: note(account, "x"))
        let home = try store.home(of: account)
        await #expect(throws: StoreError.conflict("account \(account.uuidText) already lives on shard \(home)")) {
            try await store.moveAccount(account, toShard: home)
        }
        await #expect(throws: StoreError.self) { try await store.moveAccount(account, toShard: 2) }
        await #expect(throws: StoreError.self) { try await store.moveAccount(account, toShard: -1) }
        try await store.moveAccount(account, toShard: 1 - home)
        await #expect(throws: StoreError.self) { try await store.moveAccount(account, toShard: 1 - home) }
        await #expect(throws: StoreError.self) { try await store.growShards(to: 3) }
        await #expect(throws: StoreError.self) { try await store.growShards(to: 65) }
    }

    @Test func aDataDirFromBeforePlacementOpensWithItsCount() async throws {
        // Shard files alone, as every data dir was before placement.sqlite existed.
        for index in 0..<3 { try SQLiteNoteShard(url: dataDirectory.shardURL(index), index: index, shardCount: 3).close() }
        let store = try makeStore(shards: 2)
        #expect(try store.shardCount() == 3)
    }

    /// Rows of the account in one shard file, read straight from SQLite.
    func rows(of account: UUID, onShard index: Int) throws -> Int {
        let queue = try DatabaseQueue(path: dataDirectory.shardURL(index).path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM note WHERE creator = ?", arguments: [account.uuidString]) ?? 0
        }
    }
}
