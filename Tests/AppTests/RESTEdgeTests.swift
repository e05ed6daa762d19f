import Foundation
import NIOHTTP1
import Testing
import TestSupport
@testable import App

/// The edges of the REST API: odd text kept whole, clear statuses for bad input, paging, and
/// no way in for web pages. In process, over real SQLite files: the router and its middleware
/// are the point, not a socket.
@Suite struct RESTEdgeTests {
    @Test func textIsKeptByteForByteOrRefused() async throws {
        let running = try await InProcessREST()
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Ada\u0000Lovelace"}"#).json["id"] as? String)
        #expect(try await running.request(.GET, "/accounts/\(account)").json["name"] as? String == "Ada\u{0}Lovelace")
        let notes = "/accounts/\(account)/notes"
        for text in [#"abc\u0000secret"#, "e\u{301} combining", "👩‍👩‍👧 🇯🇵", #"\ud83d\ude00 a pair"#, #"tab\tand\nnewline"#] {
            let created = try await running.request(.POST, notes, body: #"{"content":"\#(text)"}"#)
            #expect(created.status == 201, "\(text): \(created.text)")
            let id = try require(created.json["id"] as? String)
            let read = try await running.request(.GET, "\(notes)/\(id)")
            #expect(read.json["content"] as? String == created.json["content"] as? String, "\(text) came back as \(read.text)")
        }
        #expect(try await running.request(.GET, "\(notes)/\(try require(try await running.request(.POST, notes, body: #"{"content":"a\u0000b"}"#).json["id"] as? String))").json["content"] as? String == "a\u{0}b")
        for lone in [#"\ud800"#, #"x\udc00y"#, #"\ud83d"#] {
            let answer = try await running.request(.POST, notes, body: #"{"content":"\#(lone)"}"#)
            #expect(answer.status == 400 && (answer.json["error"] as? String)?.contains("surrogate") == true, "\(lone): \(answer.text)")
        }
    }

    @Test func unknownRoutesAre404AndWrongMethods405WithAllow() async throws {
        let running = try await InProcessREST()
        let account = UUID().uuidString
        #expect(try await running.request(.GET, "/accounts/").status == 200, "a trailing slash is the same route")
        for path in ["/nope", "/accounts/x/y/z/w", "/accounts/\(account)/notes/\(account)/more", "/%00", "/../.."] {
            let answer = try await running.request(.GET, path)
            #expect(answer.status == 404 || answer.status == 400, "\(path): \(answer.status) \(answer.text)")
            #expect(answer.json["error"] is String, "\(path): \(answer.text)")
        }
        for (method, path, allow) in [(HTTPMethod.DELETE, "/accounts", "GET, POST"), (.PATCH, "/accounts/\(account)", "GET, PUT"),
                                       (.POST, "/stats", "GET"), (.GET, "/deploy", "POST"), (.PUT, "/accounts/\(account)/notes", "GET, POST")] {
            let answer = try await running.send(method, path, body: nil, headers: [])
            #expect(answer.status == 405, "\(method) \(path): \(answer.text)")
            #expect(answer.headers[.allow] == allow, "\(method) \(path): \(answer.headers)")
            #expect((answer.json["error"] as? String)?.contains("use \(allow)") == true, "\(answer.text)")
        }
    }

    @Test func webPagesCannotReachTheAPI() async throws {
        let running = try await InProcessREST()
        let port = InProcessREST.port
        let body = #"{"name":"Mallory"}"#
        func post(_ headers: [(String, String)]) async throws -> Int {
            try await running.send(.POST, "/accounts", body: body, headers: headers).status
        }
        #expect(try await post([("Content-Type", "text/plain")]) == 415, "a simple cross-site request")
        #expect(try await post([("Content-Type", "application/x-www-form-urlencoded")]) == 415)
        #expect(try await post([("Content-Type", "application/jsonx")]) == 415, "another type that starts the same")
        #expect(try await post([]) == 415)
        #expect(try await post([("Content-Type", "application/json"), ("Origin", "http://evil.example")]) == 403)
        #expect(try await post([("Content-Type", "application/json"), ("Host", "evil.example:\(port)")]) == 403, "DNS rebinding")
        #expect(try await running.send(.GET, "/accounts", body: nil, headers: [("Host", "rebound.example:\(port)")]).status == 403)
        #expect(try await running.send(.GET, "/accounts", body: nil, headers: [("Origin", "http://evil.example")]).status == 403)
        #expect((try await running.request(.GET, "/accounts").json as? [Any])?.isEmpty == true, "nothing was created")
        // What local tools send still works.
        #expect(try await post([("Content-Type", "application/json; charset=utf-8")]) == 201)
        #expect(try await post([("Content-Type", "application/json"), ("Host", "localhost:\(port)"), ("Origin", "http://localhost:\(port)")]) == 201)
        #expect(try await running.send(.POST, "/deploy", body: nil, headers: []).status != 415, "no body needs no type")
    }

    @Test func notesPageOnRequest() async throws {
        let running = try await InProcessREST()
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Pat"}"#).json["id"] as? String)
        let notes = "/accounts/\(account)/notes"
        var ids: [String] = []
        for index in 0..<7 {
            ids.append(try require(try await running.request(.POST, notes, body: #"{"content":"n\#(index)"}"#).json["id"] as? String))
        }
        func page(_ query: String) async throws -> [String] {
            (try await running.request(.GET, notes + query).json as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await page("") == ids, "no parameters: all notes, oldest first")
        #expect(try await page("?limit=3") == Array(ids[0..<3]))
        #expect(try await page("?limit=3&after=\(ids[2])") == Array(ids[3..<6]))
        #expect(try await page("?limit=3&after=\(ids[5].uppercased())") == [ids[6]], "any case is read")
        #expect(try await page("?after=\(ids[6])").isEmpty)
        for bad in ["?limit=0", "?limit=1001", "?limit=x", "?after=nope", "?after=\(UUID().uuidString)"] {
            let answer = try await running.request(.GET, notes + bad)
            #expect(answer.status == 400 && answer.json["error"] is String, "\(bad): \(answer.text)")
        }
    }
}
