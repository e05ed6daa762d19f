import Foundation

/// The notes of every account, spread over `shard-0 … shard-N-1` in one data dir.
/// An account's notes all live on the shard `ShardRouter` picks for its id.
public final class ShardedNoteStore: NoteStore {
    public let router: ShardRouter
    private let shards: [SQLiteNoteShard]

    /// Opens (creating if needed) the shard files. Fails with `shardCountMismatch` when the
    /// data dir was made with another shard count.
    public init(dataDirectory: DataDirectory, shardCount: Int, durability: Durability = .default) throws {
        guard shardCount > 0 else { throw StoreError.invalidInput("shard count must be at least 1") }
        try dataDirectory.create()
        router = ShardRouter(shardCount: shardCount)
        shards = try (0..<shardCount).map { index in
            try SQLiteNoteShard(url: dataDirectory.shardURL(index), index: index, shardCount: shardCount, durability: durability)
        }
    }

    /// Runs a call on the shard of its account; a call about no account runs on every shard.
    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        if let accountId = call.accountId { return try await shards[router.shard(for: accountId)].perform(call) }
        switch call {
        case .totalNotes:
            var total = 0
            for shard in shards { total += try await shard.perform(call).count() }
            return .count(total)
        default:
            for shard in shards { try await shard.perform(call).done() }
            return .done
        }
    }

    public func close() throws {
        for shard in shards { try shard.close() }
    }
}
