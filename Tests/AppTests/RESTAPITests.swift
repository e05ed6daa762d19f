import Foundation
import NIOHTTP1
import Testing
import TestSupport
import Store
@testable import App

/// Every route, happy and bad input: the account and note routes in process (`InProcessREST`,
/// real SQLite files), `/stats` and `/deploy` against a running service with a real proxy.
@Suite struct RESTAPITests {
    @Test func accountsRoutes() async throws {
        let running = try await InProcessREST()
        #expect(try await running.request(.GET, "/healthz").status == 200)

        let created = try await running.request(.POST, "/accounts", body: #"{"name":" Ada "}"#)
        #expect(created.status == 201)
        #expect(created.json["name"] as? String == "Ada")
        let id = try require(created.json["id"] as? String)

        #expect(try await running.request(.GET, "/accounts/\(id)").json["name"] as? String == "Ada")
        let listed = try await running.request(.GET, "/accounts")
        #expect((listed.json as? [Any])?.count == 1)
        let renamed = try await running.request(.PUT, "/accounts/\(id)", body: #"{"name":"Ada L."}"#)
        #expect(renamed.status == 200 && renamed.json["name"] as? String == "Ada L.")

        for (method, path, body, status) in [
            (HTTPMethodCase.post, "/accounts", "{oops", 400),
            (.post, "/accounts", #"{"nom":"x"}"#, 400),
            (.post, "/accounts", #"{"name":"   "}"#, 400),
            (.post, "/accounts", #"{"name":5}"#, 400),
            (.get, "/accounts/not-a-uuid", nil, 400),
            (.get, "/accounts/\(UUID().uuidString)", nil, 404),
            (.put, "/accounts/\(UUID().uuidString)", #"{"name":"x"}"#, 404),
            (.put, "/accounts/\(id)", "[]", 400),
        ] as [(HTTPMethodCase, String, String?, Int)] {
            let answer = try await running.request(method.nio, path, body: body)
            #expect(answer.status == status, "\(method) \(path) \(body ?? "")")
            #expect(answer.json["error"] is String, "\(method) \(path): \(answer.text)")
        }
    }

    @Test func notesRoutes() async throws {
        let running = try await InProcessREST()
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Bo"}"#).json["id"] as? String)
        let other = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Cy"}"#).json["id"] as? String)
        let notes = "/accounts/\(account)/notes"

        let created = try await running.request(.POST, notes, body: #"{"content":"first ✓"}"#)
        #expect(created.status == 201)
        let noteId = try require(created.json["id"] as? String)
        #expect(created.json["creator"] as? String == account.lowercased(), "ids are written in lower case")
        let createdAt = try require(created.json["createdAt"] as? String)
        #expect(created.json["updatedAt"] as? String == createdAt)

        #expect(try await running.request(.GET, notes).json.map { ($0 as? [Any])?.count } == 1)
        #expect(try await running.request(.GET, "\(notes)/\(noteId)").json["content"] as? String == "first ✓")

        while Timestamp.encode(Note.now()) <= createdAt { await Task.yield() }   // the clock moves on by a millisecond
        let updated = try await running.request(.PUT, "\(notes)/\(noteId)", body: #"{"content":"second"}"#)
        #expect(updated.status == 200)
        #expect(updated.json["content"] as? String == "second")
        #expect(updated.json["createdAt"] as? String == createdAt)
        #expect((updated.json["updatedAt"] as? String ?? "") > createdAt)

        // Another account's note is not found, whatever the verb.
        #expect(try await running.request(.GET, "/accounts/\(other)/notes/\(noteId)").status == 404)
        #expect(try await running.request(.PUT, "/accounts/\(other)/notes/\(noteId)", body: #"{"content":"x"}"#).status == 404)
        #expect(try await running.request(.DELETE, "/accounts/\(other)/notes/\(noteId)").status == 404)

        let tooLarge = String(repeating: "x", count: 65_537)
        #expect(try await running.request(.POST, notes, body: #"{"content":"\#(tooLarge)"}"#).status == 413)
        let hugeBody = String(repeating: "y", count: (1 << 20) + 10)
        #expect(try await running.request(.POST, notes, body: #"{"content":"\#(hugeBody)"}"#).status == 413)
        for (method, path, body, status) in [
            (HTTPMethodCase.post, notes, "{bad", 400),
            (.post, notes, #"{"text":"x"}"#, 400),
            (.post, "/accounts/\(UUID().uuidString)/notes", #"{"content":"x"}"#, 404),
            (.get, "/accounts/\(UUID().uuidString)/notes", nil, 404),
            (.get, "\(notes)/nope", nil, 400),
            (.get, "\(notes)/\(UUID().uuidString)", nil, 404),
            (.put, "\(notes)/\(UUID().uuidString)", #"{"content":"x"}"#, 404),
            (.put, "\(notes)/\(noteId)", #"{"content":null}"#, 400),
            (.delete, "\(notes)/\(UUID().uuidString)", nil, 404),
        ] as [(HTTPMethodCase, String, String?, Int)] {
            let answer = try await running.request(method.nio, path, body: body)
            #expect(answer.status == status, "\(method) \(path)")
            #expect(answer.json["error"] is String, "\(method) \(path): \(answer.text.prefix(200))")
        }

        #expect(try await running.request(.DELETE, "\(notes)/\(noteId)").status == 204)
        #expect(try await running.request(.GET, "\(notes)/\(noteId)").status == 404)
    }

    @Test func statsAndDeploy() async throws {
        let running = try await RunningService(rolloutWait: .seconds(30))
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Di"}"#).json["id"] as? String)
        _ = try await running.request(.GET, "/accounts/\(account)/notes")
        _ = try await running.request(.GET, "/accounts/\(account)/notes")

        let stats = try await running.request(.GET, "/stats")
        #expect(stats.status == 200)
        for key in ["deployment", "proxies", "shards", "load", "api"] { #expect(stats.json[key] != nil, "no \(key)") }
        #expect(stats.json["deployment"]["status"] as? String == "READY")
        #expect(stats.json["deployment"]["current"]["id"] as? Int == 1)
        #expect(stats.json["deployment"]["previous"] is NSNull)
        #expect(stats.json["proxies"]["1"]["noteListRequests"]["totalRequests"] as? Int == 2)
        #expect(stats.json["load"]["failures"] as? Int == 0)
        let rows = try require(stats.json["api"] as? [[String: Any]])
        let listRow = rows.first { $0["route"] as? String == "/accounts/{id}/notes" && $0["method"] as? String == "GET" }
        #expect(listRow?["count"] as? Int == 2)
        #expect(listRow?["status"] as? Int == 200)
        #expect(listRow?["p95Ms"] is Double || listRow?["p95Ms"] is Int)

        let deploy = try await running.request(.POST, "/deploy")
        #expect(deploy.status == 202)
        #expect(deploy.json["targetVersion"] as? Int == 2)
        let refused = try await running.request(.POST, "/deploy")
        #expect(refused.status == 409)
        #expect(refused.json["error"] is String)
        try await running.stop()
    }
}

/// The verbs, spelled so that a table of cases can name them.
enum HTTPMethodCase: String, CustomStringConvertible {
    case get, post, put, delete
    var description: String { rawValue.uppercased() }
    var nio: HTTPMethod {
        switch self {
        case .get: .GET
        case .post: .POST
        case .put: .PUT
        case .delete: .DELETE
        }
    }
}
