import Foundation
import Store

/// What a proxy says about itself when asked `Ready`: the parent checks the version and pid
/// it launched, and the dashboard shows them.
public struct ReadyInfo: Codable, Sendable, Hashable {
    public var ready: Bool
    public var proxyId: Int
    public var pid: Int
    public var shards: [String]
    public var startedAt: Date

    public init(ready: Bool, proxyId: Int, pid: Int, shards: [String], startedAt: Date) {
        self.ready = ready
        self.proxyId = proxyId
        self.pid = pid
        self.shards = shards
        self.startedAt = startedAt
    }

    enum CodingKeys: String, CodingKey { case ready, proxyId, pid, shards, startedAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ready = try container.decode(Bool.self, forKey: .ready)
        proxyId = try container.decode(Int.self, forKey: .proxyId)
        pid = try container.decode(Int.self, forKey: .pid)
        shards = try container.decode([String].self, forKey: .shards)
        startedAt = try Timestamp.decode(container.decode(String.self, forKey: .startedAt), field: "startedAt")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ready, forKey: .ready)
        try container.encode(proxyId, forKey: .proxyId)
        try container.encode(pid, forKey: .pid)
        try container.encode(shards, forKey: .shards)
        try container.encode(Timestamp.encode(startedAt), forKey: .startedAt)
    }
}
