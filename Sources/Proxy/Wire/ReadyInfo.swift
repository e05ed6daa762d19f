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

extension ReadyInfo {
    /// `Ready` is the RPC floor the bench measures and the health check every 250 ms, so it is
    /// read and written by hand like the store's answers, not through `Codable`.
    init?(json: JSONValue) {
        guard case .object(let object) = json, case .bool(let ready)? = object["ready"],
              case .integer(let proxyId)? = object["proxyId"], case .integer(let pid)? = object["pid"],
              case .array(let shardValues)? = object["shards"], case .string(let startedAtText)? = object["startedAt"],
              let startedAt = try? Timestamp.decode(startedAtText) else { return nil }
        var shards: [String] = []
        for value in shardValues {
            guard case .string(let shard) = value else { return nil }
            shards.append(shard)
        }
        self.init(ready: ready, proxyId: Int(proxyId), pid: Int(pid), shards: shards, startedAt: startedAt)
    }

    var json: Data {
        var writer = JSONWriter()
        writer.raw(#"{"pid":"#)
        writer.integer(pid)
        writer.raw(#","proxyId":"#)
        writer.integer(proxyId)
        writer.raw(#","ready":"#)
        ready ? writer.raw("true") : writer.raw("false")
        writer.raw(#","shards":"#)
        writer.value(.array(shards.map(JSONValue.string)))
        writer.raw(#","startedAt":"#)
        writer.string(Timestamp.encode(startedAt))
        writer.raw("}")
        return writer.data
    }
}
