import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TestSupport
@testable import App
@testable import Store

/// Thousands of generated requests — methods, paths, headers, bodies, mostly wrong — against
/// the REST API over real HTTP (served in process over real SQLite files: the HTTP parser and
/// the routes are what is fuzzed, not a proxy): none may get a 500 or crash anything, every
/// refusal says why in JSON, the server still serves afterwards, and the stored data changed
/// exactly by the requests that were accepted.
@Suite struct RESTFuzzTests {
    static let requests = 2500

    @Test func generatedRequestsNeverGetA500OrChangeWhatTheyShouldNot() async throws {
        let seed = SeededRandom.seedForThisRun()
        var random = SeededRandom(seed: seed)
        let rest = try await InProcessREST()
        try await rest.serve { baseURL in try await fuzz(rest, baseURL: baseURL, seed: seed, random: &random) }
    }

    private func fuzz(_ rest: InProcessREST, baseURL: String, seed: UInt64, random: inout SeededRandom) async throws {
        let running = LiveClient(baseURL: baseURL)
        let port = try require(baseURL.split(separator: ":").last.map(String.init))
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Fuzz"}"#).json["id"] as? String)
        var noteIds: [String] = []
        for index in 0..<3 {
            noteIds.append(try require(try await running.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"n\#(index)"}"#)
                .json["id"] as? String))
        }
        var expected = try await StoredData.read(rest.actions)
        var statuses: [Int: Int] = [:]

        for _ in 0..<Self.requests {
            let request = FuzzRequest.make(account: account, notes: noteIds, port: port, using: &random)
            guard let answer = try? await request.send(to: running.baseURL) else { continue }   // the client refused to send it
            statuses[answer.status, default: 0] += 1
            // In process there is no deployment controller: `/deploy` says so with a 503.
            let noController = answer.status == 503 && request.path == "/deploy" && answer.text.contains("no deployment controller")
            #expect(answer.status < 500 || noController, "seed \(seed): \(request) → \(answer.status) \(answer.text.prefix(300))")
            // HEAD answers carry no body; a method HTTP doesn't know is refused by the HTTP parser
            // (400, no body) before any route could answer in JSON.
            var parsable = true
            if case .RAW = request.method { parsable = false }
            if answer.status >= 400, request.method != .HEAD, parsable {
                #expect((try? JSONSerialization.jsonObject(with: Data(answer.text.utf8))) as? [String: Any] != nil,
                        "seed \(seed): \(request) → \(answer.status) without a JSON error: \(answer.text.prefix(200))")
            }
            expected.apply(request, answer)
            if let created = (try? JSONSerialization.jsonObject(with: Data(answer.text.utf8))) as? [String: Any],
               answer.status == 201, let id = created["id"] as? String, created["creator"] as? String == account.lowercased() {
                noteIds.append(id)
            }
        }
        #expect(try await running.request(.GET, "/healthz").status == 200, "seed \(seed): the server stopped serving")
        let actual = try await StoredData.read(rest.actions)
        #expect(actual == expected, "seed \(seed): the stored data changed in a way no accepted request explains")
        #expect(statuses.keys.contains(404) && statuses.keys.contains(400) && statuses.keys.contains(415), "\(statuses)")
    }
}

/// The API at a base URL, over real HTTP.
struct LiveClient {
    let baseURL: String

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
        try await httpRequest(method, baseURL + path, body: body)
    }
}

/// Accounts and notes as stored, read straight from the stores.
struct StoredData: Equatable {
    var accounts: [String: String]   // id → name
    var notes: [String: String]      // note id → content

    static func read(_ actions: NotelyActions) async throws -> StoredData {
        var data = StoredData(accounts: [:], notes: [:])
        for account in try await actions.listAccounts() {
            data.accounts[account.id.uuidText] = account.name
            for note in try await actions.notes(of: account.id) { data.notes[note.id.uuidText] = note.content }
        }
        return data
    }

    /// What an accepted request changed, from its answer.
    mutating func apply(_ request: FuzzRequest, _ answer: (status: Int, text: String)) {
        guard (200..<300).contains(answer.status) else { return }
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.text.utf8))) as? [String: Any]
        let segments = request.path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        switch (request.method, segments.count) {
        case (.POST, 1), (.PUT, 2):   // an account created or renamed
            if let id = object?["id"] as? String, let name = object?["name"] as? String { accounts[id] = name }
        case (.POST, 3), (.PUT, 4):   // a note created or edited
            if let id = object?["id"] as? String, let content = object?["content"] as? String { notes[id] = content }
        case (.DELETE, 4):
            notes[segments[3].lowercased()] = nil
        default:
            break
        }
    }
}

/// One generated request.
struct FuzzRequest: CustomStringConvertible {
    var method: HTTPMethod
    var path: String
    var headers: [(String, String)]
    var body: [UInt8]?

    var description: String {
        "\(method) \(path) \(headers) \(body.map { String(decoding: $0.prefix(120), as: UTF8.self) } ?? "")"
    }

    func send(to base: String) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    static func make(account: String, notes: [String], port: String, using random: inout SeededRandom) -> FuzzRequest {
        let methods: [HTTPMethod] = [.GET, .GET, .POST, .POST, .PUT, .PUT, .DELETE, .PATCH, .HEAD, .OPTIONS, .RAW(value: "BREW")]
        let id = { (random: inout SeededRandom) -> String in
            [account, account.uppercased(), notes.randomElement(using: &random) ?? account, UUID().uuidString, "nope", "",
             "%00", "..", "é", String(repeating: "a", count: 300), "00000000-0000-0000-0000-00000000000g"].randomElement(using: &random)!
        }
        let paths: [(inout SeededRandom) -> String] = [
            { _ in "/accounts" }, { _ in "/healthz" }, { _ in "/stats" }, { _ in "/deploy" }, { _ in "/" }, { _ in "/nope" },
            { "/accounts/\(id(&$0))" }, { "/accounts/\(id(&$0))/notes" }, { "/accounts/\(id(&$0))/notes/\(id(&$0))" },
            { "/accounts/\(id(&$0))/notes/\(id(&$0))/extra" }, { _ in "/accounts/\(account)/notes?limit=2" },
            { "/accounts/\(account)/notes?limit=\(["0", "-1", "x", "1001", "3"].randomElement(using: &$0)!)&after=\(id(&$0))" },
            { _ in "/../../etc/passwd" }, { _ in "/accounts//notes" }, { _ in "/%2e%2e/%00" },
        ]
        var request = FuzzRequest(method: methods.randomElement(using: &random)!, path: paths.randomElement(using: &random)!(&random),
                                  headers: [], body: nil)
        let contentTypes = ["application/json", "application/json", "application/json; charset=utf-8", "text/plain",
                            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "garbage"]
        if Int.random(in: 0..<10, using: &random) < 8 { request.headers.append(("Content-Type", contentTypes.randomElement(using: &random)!)) }
        if Int.random(in: 0..<12, using: &random) == 0 { request.headers.append(("Origin", "http://evil.example")) }
        if Int.random(in: 0..<12, using: &random) == 0 { request.headers.append(("Host", "rebound.example:\(port)")) }
        if Int.random(in: 0..<4, using: &random) > 0 { request.body = Array(body(using: &random).utf8) }
        if Int.random(in: 0..<20, using: &random) == 0 { request.body = (0..<Int.random(in: 1..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } }
        return request
    }

    static func body(using random: inout SeededRandom) -> String {
        let texts = [#""x""#, #""a\u0000b""#, #""\ud800""#, #""é👩‍👩‍👧""#, "5", "null", "true", "[]", "{}", #""\#(String(repeating: "z", count: 70_000))""#]
        let fields = ["name", "content", "fault", "nom", "", "content\u{0}"]
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return "{oops"
        case 1: return ""
        case 2: return "[" + texts.randomElement(using: &random)! + "]"
        case 3: return texts.randomElement(using: &random)!
        default:
            let field = fields.randomElement(using: &random)!
            return #"{"\#(field)":\#(texts.randomElement(using: &random)!)}"#
        }
    }
}
