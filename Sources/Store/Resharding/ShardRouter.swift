import Foundation

/// The placement rule: the shard an account's notes live on unless `placement.sqlite` says
/// otherwise (a move), given the set of active shards. It depends on nothing but the id and the
/// set, so every process and every version agrees on it; the set is the data dir's, in
/// `placement.sqlite`.
///
/// Two rules, both over FNV-1a (64 bit) of the 16 bytes of the account UUID:
/// - `rendezvous` (highest random weight): each active shard gets a weight per account, and the
///   account lives on the heaviest. Adding a shard takes only the accounts that now weigh most
///   there; removing one gives away only its own. Every data dir made since issue 23 uses it.
/// - `modulo`: the `n`-th of the active shards, `n` = hash mod their count — the rule of data
///   dirs made before, kept so they open with no account moved. Their first change of the
///   shard set switches them to `rendezvous` (docs/RESHARDING.md).
public struct ShardRouter: Sendable, Hashable {
    public enum Rule: String, Sendable, Hashable {
        case modulo
        case rendezvous
    }

    /// The active shards' indices, ascending.
    public let active: [Int]
    public let rule: Rule

    public init(active: [Int], rule: Rule) {
        precondition(!active.isEmpty, "a placement needs an active shard")
        self.active = active.sorted()
        self.rule = rule
    }

    /// The rule of a new data dir with shards `0..<shardCount`.
    public init(shardCount: Int) {
        self.init(active: Array(0..<shardCount), rule: .rendezvous)
    }

    public func shard(for accountId: UUID) -> Int {
        let hash = Self.fnv1a(accountId)
        switch rule {
        case .modulo:
            return active[Int(hash % UInt64(active.count))]
        case .rendezvous:
            // Ties (2⁻⁶⁴ a pair) go to the higher index, so the answer never depends on order.
            return active.max { (Self.weight(hash, $0), $0) < (Self.weight(hash, $1), $1) }!
        }
    }

    public static func shardName(_ index: Int) -> String { "shard-\(index)" }

    static func fnv1a(_ id: UUID) -> UInt64 {
        withUnsafeBytes(of: id.uuid) { FNV1a.hash($0) }
    }

    /// An account's weight on a shard: SplitMix64's finaliser over the account's hash mixed
    /// with the shard index — every bit of both moves the result, so weights of one account on
    /// two shards are independent. (A dozen lines; a package would cost more than it saves.)
    static func weight(_ accountHash: UInt64, _ shard: Int) -> UInt64 {
        var z = accountHash ^ (UInt64(shard) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
