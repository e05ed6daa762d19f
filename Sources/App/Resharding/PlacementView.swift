import Foundation
import Store

/// The placement as `/stats` shows it (`"placement"`, the design's contract), with the
/// accounts counted per shard and the pace of a change of the shard set; the REST accounts
/// and the dashboard read it too.
struct PlacementView: Encodable, Sendable {
    private(set) var placement: PlacementSnapshot
    private(set) var accountsPerShard: [Int]
    /// The PostgreSQL server's state, when `notely` has one (`--postgres`).
    var postgres: PostgresMonitor.State?
    /// How fast a change of the shard set moves notes (the worker measures it).
    var progress: Progress?

    struct Progress: Sendable, Hashable {
        var notesPerSecond: Double?
        var etaSeconds: Double?
    }

    init(placement: PlacementSnapshot, accounts: [Account]) {
        self.placement = placement
        var counts = Array(repeating: 0, count: placement.shardCount)
        for account in accounts {
            let shard = placement.shard(of: account.id)
            if counts.indices.contains(shard) { counts[shard] += 1 }
        }
        accountsPerShard = counts
    }

    /// A step's answer over this view: its moves and states, with the notes and accounts per
    /// shard as last counted (a step does not count them).
    mutating func update(from stepped: PlacementSnapshot) {
        var next = stepped
        next.notesPerShard = placement.notesPerShard
        placement = next
    }

    /// Where an account lives, and its move if it has one: the `shard` and `moving` of an account.
    func location(of accountId: UUID) -> (shard: Int, moving: MoveView?) {
        (placement.shard(of: accountId), placement.move(of: accountId).map(MoveView.init))
    }

    private enum CodingKeys: String, CodingKey {
        case shardCount, shards, engines, accountsPerShard, notesPerShard, moving, resharding, migration, verified, recopied, postgres
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let live = placement.liveShards
        try container.encode(placement.activeShards.count, forKey: .shardCount)
        try container.encode(Dictionary(uniqueKeysWithValues: placement.states.indices.map {
            (ShardRouter.shardName($0), ShardView(engine: placement.engine(of: $0).rawValue, state: placement.state(of: $0).rawValue,
                                                  dropped: placement.state(of: $0) == .retired && !placement.undropped.contains($0)))
        }), forKey: .shards)
        try container.encode(byShard(live) { placement.engine(of: $0).rawValue }, forKey: .engines)
        try container.encode(byShard(live) { accountsPerShard.indices.contains($0) ? accountsPerShard[$0] : 0 }, forKey: .accountsPerShard)
        try container.encode(byShard(live) { placement.notesPerShard.indices.contains($0) ? placement.notesPerShard[$0] : 0 },
                             forKey: .notesPerShard)
        try container.encode(placement.moves.map(MoveView.init), forKey: .moving)
        try container.encode(placement.change.map(ChangeView.init), forKey: .resharding)
        try container.encode(migration, forKey: .migration)
        try container.encode(placement.verified, forKey: .verified)
        try container.encode(placement.recopied, forKey: .recopied)
        try container.encode(postgres, forKey: .postgres)
    }

    /// `/stats.placement.migration`: a migration to another engine under way, or nil.
    var migration: MigrationView? {
        guard let change = placement.change, change.kind == .migrate, let to = change.engine, let from = change.sourceEngine else { return nil }
        return MigrationView(from: from.rawValue, to: to.rawValue, accountsLeft: change.accountsLeft, notesLeft: change.notesLeft,
                             notesPerSecond: progress?.notesPerSecond.map { $0.rounded() }, etaSeconds: progress?.etaSeconds.map { $0.rounded(.up) })
    }

    private func byShard<T>(_ shards: [Int], _ value: (Int) -> T) -> [String: T] {
        Dictionary(uniqueKeysWithValues: shards.map { (ShardRouter.shardName($0), value($0)) })
    }
}

/// A move as the REST API and `/stats` show it: an account's `moving`, and each entry of
/// `placement.moving` — `{"accountId", "from", "to", "copied", "total"}` (the contract names the
/// last three for an account; the first two say the same as the account they sit in).
struct MoveView: Encodable, Sendable, Hashable {
    let accountId: String
    let from: Int
    let to: Int
    let copied: Int
    let total: Int

    init(_ move: AccountMove) {
        accountId = move.accountId.uuidText
        from = move.from
        to = move.to
        copied = move.copied
        total = move.total
    }
}

private struct ShardView: Encodable {
    let engine: String
    let state: String
    /// A retired shard's file or schema is gone.
    let dropped: Bool
}

/// `/stats.placement.resharding`: any change of the shard set, in active shards.
private struct ChangeView: Encodable {
    let kind: String
    let from: Int
    let to: Int
    let accountsLeft: Int
    let notesLeft: Int

    init(_ change: ShardSetChange) {
        kind = change.kind.rawValue
        from = change.from
        to = change.to
        accountsLeft = change.accountsLeft
        notesLeft = change.notesLeft
    }
}

struct MigrationView: Encodable, Sendable, Hashable {
    let from: String
    let to: String
    let accountsLeft: Int
    let notesLeft: Int
    let notesPerSecond: Double?
    let etaSeconds: Double?

    private enum CodingKeys: String, CodingKey { case from, to, accountsLeft, notesLeft, notesPerSecond, etaSeconds }

    /// The rate and time left are null until measured, never left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(accountsLeft, forKey: .accountsLeft)
        try container.encode(notesLeft, forKey: .notesLeft)
        try container.encode(notesPerSecond, forKey: .notesPerSecond)
        try container.encode(etaSeconds, forKey: .etaSeconds)
    }
}
