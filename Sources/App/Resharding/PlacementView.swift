import Foundation
import Store

/// The placement as `/stats` shows it (`"placement"`, the design's contract), with the
/// accounts counted per shard; the REST accounts and the dashboard read it too.
struct PlacementView: Encodable, Sendable {
    let placement: PlacementSnapshot
    let accountsPerShard: [Int]
    /// The PostgreSQL server's state, when `notely` has one (`--postgres`).
    var postgres: PostgresMonitor.State?

    init(placement: PlacementSnapshot, accounts: [Account]) {
        self.placement = placement
        var counts = Array(repeating: 0, count: placement.shardCount)
        for account in accounts {
            let shard = placement.shard(of: account.id)
            if counts.indices.contains(shard) { counts[shard] += 1 }
        }
        accountsPerShard = counts
    }

    /// Where an account lives, and its move if it has one: the `shard` and `moving` of an account.
    func location(of accountId: UUID) -> (shard: Int, moving: MoveView?) {
        (placement.shard(of: accountId), placement.move(of: accountId).map(MoveView.init))
    }

    private enum CodingKeys: String, CodingKey { case shardCount, engines, accountsPerShard, notesPerShard, moving, resharding, postgres }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(placement.shardCount, forKey: .shardCount)
        try container.encode(Dictionary(uniqueKeysWithValues: placement.engines.enumerated().map {
            (ShardRouter.shardName($0.offset), $0.element.rawValue)
        }), forKey: .engines)
        try container.encode(Self.byShard(accountsPerShard), forKey: .accountsPerShard)
        try container.encode(Self.byShard(placement.notesPerShard), forKey: .notesPerShard)
        try container.encode(placement.moves.map(MoveView.init), forKey: .moving)
        try container.encode(placement.growth.map(GrowthView.init), forKey: .resharding)
        try container.encode(postgres, forKey: .postgres)
    }

    private static func byShard(_ values: [Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: values.enumerated().map { (ShardRouter.shardName($0.offset), $0.element) })
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

private struct GrowthView: Encodable {
    let from: Int
    let to: Int
    let accountsLeft: Int

    init(_ growth: Growth) {
        from = growth.from
        to = growth.to
        accountsLeft = growth.accountsLeft
    }
}
