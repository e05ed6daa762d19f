/// Where a shard is in its life (docs/RESHARDING.md, "Changing the shard set"). Recorded per
/// shard in `placement.sqlite`, so every proxy version agrees on which shards the placement
/// rule spreads accounts over: the `active` ones.
public enum ShardState: String, Sendable, CaseIterable, Codable {
    /// Made by a change of the shard set that has not switched yet: serves nothing.
    case new
    /// In the placement rule: takes new accounts.
    case active
    /// Out of the rule: its accounts are moving off; retired once none is left.
    case draining
    /// Emptied, out of use for good; its file or tables are dropped.
    case retired

    /// The number stored in `placement.sqlite` (its `meta` values are integers).
    var code: Int {
        switch self {
        case .new: 0
        case .active: 1
        case .draining: 2
        case .retired: 3
        }
    }
}

/// A change of the set of active shards, with the accounts and notes still to move: the one
/// operation behind growing (`+`, `POST /shards`), draining (`POST /shards/{n}/drain`) and
/// migrating to another engine (`M`, `POST /migrate`).
public struct ShardSetChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case grow
        case drain
        case migrate

        var code: Int { Self.allCases.firstIndex(of: self)! + 1 }
        init?(code: Int) {
            guard (1...Self.allCases.count).contains(code) else { return nil }
            self = Self.allCases[code - 1]
        }
    }

    public var kind: Kind
    /// Active shards before and after.
    public var from: Int
    public var to: Int
    /// The engine a migration moves every note to (nil for growing and draining).
    public var engine: ShardEngine?
    public var accountsLeft: Int
    /// Notes not yet copied by the moves still queued.
    public var notesLeft: Int

    public init(kind: Kind, from: Int, to: Int, engine: ShardEngine? = nil, accountsLeft: Int, notesLeft: Int = 0) {
        self.kind = kind
        self.from = from
        self.to = to
        self.engine = engine
        self.accountsLeft = accountsLeft
        self.notesLeft = notesLeft
    }

    /// The engine a migration moves notes off.
    public var sourceEngine: ShardEngine? { engine?.other }
}
