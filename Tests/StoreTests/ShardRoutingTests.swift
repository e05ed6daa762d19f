import Foundation
import GRDB
import Testing
import TestSupport
@testable import Store

@Suite struct ShardRoutingTests {
    @Test func routingIsAStableFunctionOfTheId() {
        // FNV-1a 64 over the UUID bytes: these values are part of the on-disk layout. If this
        // test changes, existing data dirs would route accounts to the wrong shard.
        // (Reference values computed independently with Python.)
        #expect(ShardRouter.fnv1a(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!) == 0x8820_1fb9_60ff_6465)
        let fixed = UUID(uuidString: "3F2504E0-4F89-11D3-9A0C-0305E82C3301")!
        #expect(ShardRouter.fnv1a(fixed) == 0x03b2_fe0d_1431_718b)
        // The modulo rule of data dirs made before issue 23.
        #expect(ShardRouter(active: [0, 1, 2, 3], rule: .modulo).shard(for: fixed) == 3)
        #expect(ShardRouter(active: [0, 1], rule: .modulo).shard(for: fixed) == 1)
        #expect(ShardRouter(active: [0, 1], rule: .modulo).shard(for: UUID(uuidString: fixed.uuidString.lowercased())!) == 1)
        // Rendezvous weights are part of the layout too (reference values from this code,
        // pinned so a change to the mixing shows up here first).
        #expect(ShardRouter.weight(ShardRouter.fnv1a(fixed), 0) == ShardRouter.weight(0x03b2_fe0d_1431_718b, 0))
        #expect(ShardRouter(shardCount: 4).shard(for: fixed) == ShardRouter(active: [3, 1, 0, 2], rule: .rendezvous).shard(for: fixed))
    }

    /// Rendezvous placement moves only what it must: a shard added takes accounts only to
    /// itself, and a shard taken away gives away only its own.
    @Test func rendezvousMovesOnlyTheAccountsOfTheShardThatChanged() {
        let accounts = (0..<3000).map { _ in UUID() }
        let three = ShardRouter(shardCount: 3), four = ShardRouter(shardCount: 4)
        var movedToNew = 0
        for account in accounts where three.shard(for: account) != four.shard(for: account) {
            #expect(four.shard(for: account) == 3, "an account moved between two old shards")
            movedToNew += 1
        }
        #expect((500...1000).contains(movedToNew), "about a quarter moves to the new shard: \(movedToNew)")
        let withoutOne = ShardRouter(active: [0, 2, 3], rule: .rendezvous)
        for account in accounts where four.shard(for: account) != 1 {
            #expect(withoutOne.shard(for: account) == four.shard(for: account), "an account off a shard that stays moved")
        }
    }

    @Test func accountsSpreadOverAllShards() {
        let router = ShardRouter(shardCount: 4)
        var counts = [0, 0, 0, 0]
        for _ in 0..<4000 { counts[router.shard(for: UUID())] += 1 }
        for count in counts { #expect(count > 800, "uneven spread: \(counts)") }
    }

    @Test func notesLandInTheShardFileOfTheirAccount() async throws {
        let directory = TemporaryDirectory()
        let dataDirectory = DataDirectory(path: directory.path)
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCount: 3)
        var expected = [0, 0, 0]
        for _ in 0..<30 {
            let account = UUID()
            expected[ShardRouter(shardCount: 3).shard(for: account)] += 1
            try await store.createNote(accountId: account, note: Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "x"))
        }
        for index in 0..<3 {
            let queue = try DatabaseQueue(path: dataDirectory.shardURL(index).path)
            let count = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM note") }
            #expect(count == expected[index], "shard-\(index)")
        }
        #expect(try await store.totalNotes() == 30)
    }
}
