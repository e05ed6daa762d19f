import Foundation

/// An account's hash placement: the shard its notes live on unless `placement.sqlite` says
/// otherwise (a move), and the shard a growth moves it to.
///
/// The function is FNV-1a (64 bit) over the 16 bytes of the account UUID, modulo the shard
/// count. It depends on nothing but the id and the count, so every process and every version
/// agrees on it; the count is the data dir's, in `placement.sqlite`.
public struct ShardRouter: Sendable, Equatable {
    public let shardCount: Int

    public init(shardCount: Int) {
        precondition(shardCount > 0, "shard count must be positive")
        self.shardCount = shardCount
    }

    public func shard(for accountId: UUID) -> Int {
        Int(Self.fnv1a(accountId) % UInt64(shardCount))
    }

    public static func shardName(_ index: Int) -> String { "shard-\(index)" }

    public var shardNames: [String] { (0..<shardCount).map(Self.shardName) }

    static func fnv1a(_ id: UUID) -> UInt64 {
        withUnsafeBytes(of: id.uuid) { FNV1a.hash($0) }
    }
}
