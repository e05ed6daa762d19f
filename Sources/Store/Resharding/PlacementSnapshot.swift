import Foundation

/// Where every account's notes live, and what is moving: the answer of `describePlacement`,
/// which `/stats`, the REST accounts and the dashboard read.
///
/// Only the exceptions are listed: an account absent from `homes` lives on its hash placement
/// (`ShardRouter`) for `shardCount`.
public struct PlacementSnapshot: Sendable, Hashable {
    public var shardCount: Int
    /// Each shard's engine, by index.
    public var engines: [ShardEngine]
    /// Accounts whose home is not their hash placement (moved by hand, or not yet rebalanced).
    public var homes: [UUID: Int]
    /// Moves in the order they run; the first is the one in progress.
    public var moves: [AccountMove]
    /// Notes each shard serves (copies a move has made or not yet cleaned up are not counted).
    public var notesPerShard: [Int]
    /// A growth of the shard count still rebalancing, or nil.
    public var growth: Growth?

    public init(shardCount: Int, engines: [ShardEngine]? = nil, homes: [UUID: Int] = [:], moves: [AccountMove] = [],
                notesPerShard: [Int], growth: Growth? = nil) {
        self.shardCount = shardCount
        self.engines = engines ?? Array(repeating: .sqlite, count: shardCount)
        self.homes = homes
        self.moves = moves
        self.notesPerShard = notesPerShard
        self.growth = growth
    }

    /// The shard that serves the account's notes now.
    public func shard(of accountId: UUID) -> Int {
        homes[accountId] ?? ShardRouter(shardCount: shardCount).shard(for: accountId)
    }

    public func move(of accountId: UUID) -> AccountMove? {
        moves.first { $0.accountId == accountId }
    }

    /// True while a move is queued or running: `stepPlacement` has work to do.
    public var hasWork: Bool { !moves.isEmpty }
}

/// One account's move, queued or in progress.
public struct AccountMove: Sendable, Hashable {
    public var accountId: UUID
    public var from: Int
    public var to: Int
    /// Notes copied so far, of `total` (the notes on `from` when the copy last looked).
    public var copied: Int
    public var total: Int
    /// The notes serve from `to` already; the copies left on `from` are being deleted.
    public var switched: Bool

    public init(accountId: UUID, from: Int, to: Int, copied: Int, total: Int, switched: Bool) {
        self.accountId = accountId
        self.from = from
        self.to = to
        self.copied = copied
        self.total = total
        self.switched = switched
    }
}

/// A growth of the shard count, `from` → `to`, with the accounts still to move.
public struct Growth: Sendable, Hashable {
    public var from: Int
    public var to: Int
    public var accountsLeft: Int

    public init(from: Int, to: Int, accountsLeft: Int) {
        self.from = from
        self.to = to
        self.accountsLeft = accountsLeft
    }
}
