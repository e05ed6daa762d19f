import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Proxy
@testable import Store

/// Thousands of generated bodies against a proxy's `/rpc` — broken JSON, wrong shapes, every
/// method with broken params, batches, raw bytes: no 500 and no crash, every answer a JSON-RPC
/// error or result, the proxy still ready afterwards, and nothing stored changed (no generated
/// write, move or growth is valid). In process (`EmbeddedRPC`): the server's handlers and the
/// store are what is fuzzed, and a child process would add only time.
@Suite struct RPCFuzzTests {
    static let bodies = 2500

    @Test func generatedBodiesNeverBreakTheProxyOrChangeTheStore() async throws {
        let seed = SeededRandom.seedForThisRun()
        var random = SeededRandom(seed: seed)
        let rpc = try await EmbeddedRPC()
        let account = UUID()
        for index in 0..<3 {
            try await rpc.store.createNote(accountId: account, note: Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(),
                                                                          content: "kept \(index)"))
        }
        let before = try await rpc.store.listNotes(accountId: account)
        var statuses: [Int: Int] = [:]
        for _ in 0..<Self.bodies {
            let body = RPCFuzz.body(account: account, using: &random)
            let answer = try await rpc.post(body)
            statuses[answer.status, default: 0] += 1
            let shown = String(decoding: body.prefix(200), as: UTF8.self)
            #expect([200, 204, 413].contains(answer.status), "seed \(seed): \(shown) → \(answer.status) \(answer.body.prefix(200))")
            if answer.status == 200 {
                let parsed = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))
                #expect(parsed is [String: Any] || parsed is [Any], "seed \(seed): \(shown) → not JSON-RPC: \(answer.body.prefix(200))")
                #expect(!answer.body.contains("-32603"), "seed \(seed): \(shown) → an internal error: \(answer.body.prefix(300))")
            }
            if answer.headers["connection"] == "close" { try await rpc.reconnect() }   // as a client would

        }
        let ready = try await rpc.post(Array(#"{"jsonrpc":"2.0","id":1,"method":"Ready"}"#.utf8))
        #expect(ready.status == 200 && ready.body.contains(#""ready":true"#), "seed \(seed): the proxy stopped answering")
        let after = try await rpc.store.listNotes(accountId: account)
        #expect(after == before, "seed \(seed): the store changed: \(after.filter { !before.contains($0) })")
        #expect(try await rpc.store.totalNotes() == before.count, "seed \(seed): the store changed")
        let placement = try await rpc.store.describePlacement()
        #expect(placement.shardCount == 2 && placement.homes.isEmpty && !placement.hasWork, "seed \(seed): the placement changed")
        #expect(statuses[200, default: 0] > Self.bodies / 2, "\(statuses)")
        try await rpc.close()
    }
}

enum RPCFuzz {
    static let methods = NoteStoreOperation.allCases.map(\.rawValue) + ["Ready", "ExportShardStats", "", "listnotes", "Nope", "__proto__"]

    static func body(account: UUID, using random: inout SeededRandom) -> [UInt8] {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1: return Array(["", "{", "[", "[]", "null", "{}", "\"x\"", "[1,2]", "{\"jsonrpc\":\"2.0\"", "\u{FEFF}{}"]
            .randomElement(using: &random)!.utf8)
        case 2:
            let batch = (0..<Int.random(in: 1..<5, using: &random)).map { _ in call(account: account, using: &random) }
            return Array(("[" + batch.joined(separator: ",") + "]").utf8)
        default: return Array(call(account: account, using: &random).utf8)
        }
    }

    static func call(account: UUID, using random: inout SeededRandom) -> String {
        let ids = ["1", "\"a\"", "null", "1.5", "{}", "[]", "true", "-9223372036854775808", "99999999999999999999"]
        var members: [String] = []
        if Int.random(in: 0..<8, using: &random) > 0 { members.append(#""jsonrpc":\#(["\"2.0\"", "\"1.0\"", "2", "null"].randomElement(using: &random)!)"#) }
        if Int.random(in: 0..<6, using: &random) > 0 { members.append(#""id":\#(ids.randomElement(using: &random)!)"#) }
        if Int.random(in: 0..<10, using: &random) > 0 {
            members.append(#""method":"\#(methods.randomElement(using: &random)!)""#)
        } else {
            members.append(#""method":\#(["5", "null", "[]"].randomElement(using: &random)!)"#)
        }
        switch Int.random(in: 0..<6, using: &random) {
        case 0: break
        case 1: members.append(#""params":\#(["[]", "[1]", "\"x\"", "null", "7"].randomElement(using: &random)!)"#)
        default: members.append(#""params":\#(params(account: account, using: &random))"#)
        }
        return "{" + members.shuffled(using: &random).joined(separator: ",") + "}"
    }

    /// Params that name the right fields but never make a valid write: each note has at least
    /// one broken field.
    static func params(account: UUID, using random: inout SeededRandom) -> String {
        let accountIds = ["\"\(account.uuidText)\"", "\"\(account.uuidString)\"", "\"nope\"", "5", "null", "\"\(UUID().uuidText)\""]
        var fields = [#""accountId":\#(accountIds.randomElement(using: &random)!)"#]
        if Int.random(in: 0..<2, using: &random) == 0 { fields.append(#""noteId":\#(accountIds.randomElement(using: &random)!)"#) }
        if Int.random(in: 0..<3, using: &random) == 0 { fields.append(#""limit":\#(["0", "-1", "2", "\"3\"", "1e3"].randomElement(using: &random)!)"#) }
        if Int.random(in: 0..<3, using: &random) > 0 { fields.append(#""note":\#(brokenNote(account: account, using: &random))"#) }
        // A shard or a count, never one a move or a growth would take.
        let placements = ["-1", "65", "\"1\"", "null", "1.5", "1e9", "99999999999999999999"]
        if Int.random(in: 0..<3, using: &random) == 0 { fields.append(#""shard":\#(placements.randomElement(using: &random)!)"#) }
        if Int.random(in: 0..<3, using: &random) == 0 { fields.append(#""count":\#((placements + ["0", "1", "2"]).randomElement(using: &random)!)"#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func brokenNote(account: UUID, using random: inout SeededRandom) -> String {
        var note: [String: String] = [
            "id": "\"\(UUID().uuidText)\"", "creator": "\"\(account.uuidText)\"", "createdAt": "\"2026-11-28T10:00:00Z\"",
            "updatedAt": "\"2026-11-28T10:00:00Z\"", "content": "\"x\\u0000y\"",
        ]
        let broken = note.keys.sorted().randomElement(using: &random)!
        // Any string is valid content, so content breaks only by its type or a lone surrogate.
        let wrong = broken == "content" ? ["5", "null", "{}", "\"\\ud800\""]
                                        : ["5", "null", "\"\"", "\"nope\"", "{}", "\"\\ud800\"", "\"2026-13-45T99:00:00Z\""]
        if Int.random(in: 0..<4, using: &random) == 0 { note[broken] = nil } else { note[broken] = wrong.randomElement(using: &random)! }
        return "{" + note.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }
}
