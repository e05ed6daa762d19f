import Foundation
import Store

/// What a proxy says about itself when asked `Ready`: the parent checks the version and pid
/// it launched, and the dashboard shows them.
public struct ReadyInfo: Codable, Sendable, Hashable {
    public var ready: Bool
    public var proxyId: Int
    public var pid: Int
    public var shards: [String]
    @RFC3339 public var startedAt: Date

    public init(ready: Bool, proxyId: Int, pid: Int, shards: [String], startedAt: Date) {
        self.ready = ready
        self.proxyId = proxyId
        self.pid = pid
        self.shards = shards
        self.startedAt = startedAt
    }
}
