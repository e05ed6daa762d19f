import Foundation

/// Where every account's notes live, and what is moving: the answer of `describePlacement`,
/// which `/stats`, the REST accounts and the dashboard read.
///
/// Only the exceptions are listed: an account absent from `homes` lives where the placement
/// rule (`router`) puts it.
public struct PlacementSnapshot: Sendable, Hashable {
    /// Shard indices in use so far, `0..<shardCount`, whatever their state.
    public var shardCount: Int
    /// Each shard's engine and state, by index.
    public var engines: [ShardEngine]
    public var states: [ShardState]
    public var rule: ShardRouter.Rule
    /// Accounts whose home is not their rule's placement (moved by hand, or not yet rebalanced).
    public var homes: [UUID: Int]
    /// Moves in the order they run; the first is the one in progress.
    public var moves: [AccountMove]
    /// Notes each shard serves (copies a move has made or not yet cleaned up are not counted);
    /// empty in a `stepPlacement` answer, which leaves the counting to `describePlacement`.
    public var notesPerShard: [Int]
    /// A change of the shard set still moving accounts, or nil.
    public var change: ShardSetChange?
    /// Moves whose copy was verified before the switch, and copies that differed and were
    /// made again (docs/RESHARDING.md, "Verified before every switch").
    public var verified: Int
    public var recopied: Int
    /// Retired shards whose file or schema is still there (the next idle step drops it).
    public var undropped: [Int]
    /// In a `stepPlacement` answer, how long the step held the store — what a call arriving
    /// meanwhile waited for (time queued for the proxy before it is not in it). Paces moves.
    public var stepSeconds: Double?

    public init(shardCount: Int, engines: [ShardEngine]? = nil, states: [ShardState]? = nil, rule: ShardRouter.Rule = .rendezvous,
                homes: [UUID: Int] = [:], moves: [AccountMove] = [], notesPerShard: [Int], change: ShardSetChange? = nil,
                verified: Int = 0, recopied: Int = 0, undropped: [Int] = []) {
        self.shardCount = shardCount
        self.engines = engines ?? Array(repeating: .sqlite, count: shardCount)
        self.states = states ?? Array(repeating: .active, count: shardCount)
        self.rule = rule
        self.homes = homes
        self.moves = moves
        self.notesPerShard = notesPerShard
        self.change = change
        self.verified = verified
        self.recopied = recopied
        self.undropped = undropped
    }

    public var activeShards: [Int] { states.indices.filter { states[$0] == .active } }
    /// Shards not retired: the ones the Shards pane and `/stats` list.
    public var liveShards: [Int] { states.indices.filter { states[$0] != .retired } }
    public var router: ShardRouter { ShardRouter(active: activeShards.isEmpty ? [0] : activeShards, rule: rule) }

    public func engine(of index: Int) -> ShardEngine { engines.indices.contains(index) ? engines[index] : .sqlite }
    public func state(of index: Int) -> ShardState { states.indices.contains(index) ? states[index] : .retired }

    /// The shard that serves the account's notes now.
    public func shard(of accountId: UUID) -> Int {
        homes[accountId] ?? router.shard(for: accountId)
    }

    public func move(of accountId: UUID) -> AccountMove? {
        moves.first { $0.accountId == accountId }
    }

    /// True while a move is queued or running, a change still has shards to retire, or a
    /// retired shard's storage is still there: `stepPlacement` has work to do.
    public var hasWork: Bool { !moves.isEmpty || change != nil || !undropped.isEmpty }

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
