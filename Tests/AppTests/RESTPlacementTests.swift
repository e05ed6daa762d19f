import Foundation
import Testing
import TestSupport
@testable import App
@testable import Store

/// The re-sharding routes and fields of the REST contract (docs/REST.md), in process over real
/// SQLite files: shapes, statuses and errors. Growth and moves under load, through proxies and
/// through crashes are `ReshardingEndToEndTests`.
@Suite struct RESTPlacementTests {
    @Test func accountsShowTheirShardAndMovesAndGrowthAnswerAsTheContractSays() async throws {
        let running = try await InProcessREST()
        let created = try await running.request(.POST, "/accounts", body: #"{"name":"Ada"}"#)
        let id = try require(created.json["id"] as? String)
        let hashed = ShardRouter(shardCount: 2).shard(for: try require(UUIDText.parse(id)))
        #expect(created.json["shard"] as? Int == hashed && created.json["moving"] is NSNull, "\(created.text)")
        for index in 0..<3 {
            #expect(try await running.request(.POST, "/accounts/\(id)/notes", body: #"{"content":"n\#(index)"}"#).status == 201)
        }

        for (path, body, status) in [
            ("/accounts/\(id)/move", #"{"shard":2}"#, 400),
            ("/accounts/\(id)/move", #"{"shard":-1}"#, 400),
            ("/accounts/\(id)/move", #"{"to":1}"#, 400),
            ("/accounts/\(id)/move", #"{"shard":\#(hashed)}"#, 409),
            ("/accounts/not-an-id/move", #"{"shard":1}"#, 400),
            ("/accounts/\(UUID().uuidText)/move", #"{"shard":1}"#, 404),
            ("/shards", #"{"count":1}"#, 400),
            ("/shards", #"{"count":2}"#, 400),
            ("/shards", #"{"count":65}"#, 400),
            ("/shards", #"{"count":"four"}"#, 400),
        ] {
            let answer = try await running.request(.POST, path, body: body)
            #expect(answer.status == status, "POST \(path) \(body): \(answer.text)")
            #expect(answer.json["error"] is String, "POST \(path): \(answer.text)")
        }

        let moved = try await running.request(.POST, "/accounts/\(id)/move", body: #"{"shard":\#(1 - hashed)}"#)
        #expect(moved.status == 202, "\(moved.text)")
        #expect(moved.json["accountId"] as? String == id && moved.json["from"] as? Int == hashed && moved.json["to"] as? Int == 1 - hashed)
        #expect(await eventually {
            (try? await running.request(.GET, "/accounts/\(id)").json).map { $0["shard"] as? Int == 1 - hashed && $0["moving"] is NSNull } == true
        }, "the move never finished")
        #expect(try await running.request(.GET, "/accounts/\(id)/notes").json.map { ($0 as? [Any])?.count } == 3)

        let grown = try await running.request(.POST, "/shards", body: #"{"count":3}"#)
        #expect(grown.status == 202 && grown.json["from"] as? Int == 2 && grown.json["to"] as? Int == 3, "\(grown.text)")
        let again = try await running.request(.POST, "/shards", body: #"{"count":3}"#)
        #expect(again.status == 409 || again.status == 400, "the same growth asked twice: \(again.text)")
        #expect(await eventually {
            let placement = try? await running.request(.GET, "/stats").json["placement"]
            return placement["shardCount"] as? Int == 3 && placement["resharding"] is NSNull
        })
        let placement = try await running.request(.GET, "/stats").json["placement"]
        #expect(placement["accountsPerShard"] as? [String: Int] != nil && (placement["accountsPerShard"] as? [String: Int])?.count == 3)
        #expect((placement["notesPerShard"] as? [String: Int])?.values.reduce(0, +) == 3)
        #expect(placement["engines"] as? [String: String] == ["shard-0": "sqlite", "shard-1": "sqlite", "shard-2": "sqlite"])
        #expect(placement["moving"] as? [Any] != nil)
        let home = ShardRouter(shardCount: 3).shard(for: try require(UUIDText.parse(id)))
        #expect(try await running.request(.GET, "/accounts").json.map { ($0 as? [[String: Any]])?.first?["shard"] as? Int } == home,
                "growth puts every account on its hash placement")
    }
}
