import Foundation
import Store
import Testing
@testable import Proxy

/// How a `ProxyClient` reads what a proxy answers, including answers no proxy should give.
@Suite struct ProxyClientAnswerTests {
    func result(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try ProxyClient.result(of: $0, method: .store(.getNote), proxyId: 4) }
    }

    func badResponseReason(_ text: String) -> String? {
        do {
            _ = try result(text)
            return nil
        } catch ProxyClientError.badResponse(let proxyId, let reason) {
            #expect(proxyId == 4)
            return reason
        } catch {
            Issue.record("expected badResponse, got \(error)")
            return nil
        }
    }

    @Test func resultsComeBackAsParsed() throws {
        #expect(try result(#"{"jsonrpc":"2.0","id":1,"result":null}"#) == .null)
        #expect(try result(#"{"jsonrpc":"2.0","id":1,"result":[1,"a"]}"#) == .array([.integer(1), .string("a")]))
        #expect(try result(#"{"jsonrpc":"2.0","id":1,"result":3,"error":null}"#) == .integer(3))
    }

    @Test func notelyErrorCodesComeBackAsTheStoreError() {
        let id = UUID()
        #expect(throws: StoreError.noteNotFound(id)) {
            try result(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"gone","data":{"noteId":"\#(id.uuidString)"}}}"#)
        }
        let full = StoreError.unavailable("shard-1: disk full, the write was not saved")
        var writer = JSONWriter()
        writer.raw(RPCCodec.frame(id: .number(1), outcome: .failure(full.rpcError)))
        #expect(String(decoding: writer.bytes, as: UTF8.self).contains("-32006"))
        #expect(throws: full) { try result(String(decoding: writer.bytes, as: UTF8.self)) }
        #expect(throws: ProxyClientError.self) {
            try result(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: X"}}"#)
        }
    }

    @Test func malformedAnswersAreBadResponsesThatSayWhy() {
        #expect(badResponseReason("<html>") == "GetNote: the answer is not JSON: unexpected character '<' at byte 0")
        #expect(badResponseReason("[1]") == "GetNote: the answer is an array, not an object")
        #expect(badResponseReason(#"{"jsonrpc":"2.0","id":1}"#) == "GetNote: neither a result nor an error")
        #expect(badResponseReason(#"{"error":{"code":"x"}}"#) == "GetNote: a malformed error object")
        #expect(badResponseReason(#"{"result":"#)?.hasPrefix("GetNote: the answer is not JSON") == true)
    }
}
