import Foundation
import GRDB
import Testing
import TestSupport
@testable import Store

/// `--durability` reaches SQLite: the writer connection of each database runs the mode asked
/// for (GRDB sets NORMAL when it turns WAL on, so the order matters).
@Suite struct DurabilityTests {
    func synchronous(_ durability: Durability) throws -> Int? {
        let directory = TemporaryDirectory()
        let shard = try SQLiteNoteShard(url: directory.url.appendingPathComponent("shard-0.sqlite"), index: 0, shardCount: 1,
                                        durability: durability)
        defer { try? shard.close() }
        return try shard.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    }

    @Test func fullSyncsEveryCommitAndNormalOnlyCheckpoints() throws {
        #expect(try synchronous(.full) == 2)
        #expect(try synchronous(.normal) == 1)
        #expect(Durability.default == .normal)
    }
}
