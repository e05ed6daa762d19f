import Foundation
import Testing
@testable import Proxy

/// Every rule of JSON-RPC 2.0 framing, without a server: an echo handler stands in for the
/// proxy so the tests see exactly what the codec does.
@Suite struct RPCCodecTests {
    func respond(_ body: String) async -> Any? {
        let answer = await RPCCodec.respond(to: Data(body.utf8)) { request in
            if request.method == "Fail" { return .failure(.invalidParams("missing field accountId")) }
            if request.method != "Echo" { return .failure(.methodNotFound(request.method)) }
            var writer = JSONWriter()
            writer.value(.object(request.params))
            return .success(writer.data)
        }
        guard let answer else { return nil }
        return try! JSONSerialization.jsonObject(with: answer, options: .fragmentsAllowed)
    }

    func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }
    func errorCode(_ value: Any?) -> Int? { object(object(value)["error"])["code"] as? Int }

    @Test func resultCarriesTheRequestId() async {
        let answer = object(await respond(#"{"jsonrpc":"2.0","id":7,"method":"Echo","params":{"a":1}}"#))
        #expect(answer["jsonrpc"] as? String == "2.0")
        #expect(answer["id"] as? Int == 7)
        #expect(object(answer["result"])["a"] as? Int == 1)
        #expect(answer["error"] == nil)
        let stringId = object(await respond(#"{"jsonrpc":"2.0","id":"abc","method":"Echo"}"#))
        #expect(stringId["id"] as? String == "abc")
    }

    @Test func parseErrorHasNullId() async {
        let answer = await respond(#"{"jsonrpc":"2.0","method":"Echo","params":[1,2"#)
        #expect(errorCode(answer) == -32700)
        #expect(object(answer)["id"] is NSNull)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1}"#,                          // no method
        #"{"jsonrpc":"1.0","id":1,"method":"Echo"}"#,          // wrong version
        #"{"id":1,"method":"Echo"}"#,                          // no version
        #"{"jsonrpc":"2.0","id":1,"method":5}"#,               // method not a string
        #"{"jsonrpc":"2.0","id":{},"method":"Echo"}"#,         // id an object
        #"{"jsonrpc":"2.0","id":1,"method":"Echo","params":"x"}"#, // params a string
        #"1"#, #""text""#, #"[]"#,
    ])
    func invalidRequests(body: String) async {
        #expect(errorCode(await respond(body)) == -32600, "\(body)")
    }

    @Test func invalidRequestKeepsAReadableId() async {
        #expect(object(await respond(#"{"jsonrpc":"1.0","id":9,"method":"Echo"}"#))["id"] as? Int == 9)
    }

    @Test func unknownMethodAndBadParams() async {
        #expect(errorCode(await respond(#"{"jsonrpc":"2.0","id":1,"method":"Nope"}"#)) == -32601)
        let bad = object(await respond(#"{"jsonrpc":"2.0","id":1,"method":"Fail"}"#))
        #expect(errorCode(bad) == -32602)
        #expect((object(bad["error"])["message"] as? String)?.contains("accountId") == true)
        #expect(errorCode(await respond(#"{"jsonrpc":"2.0","id":1,"method":"Echo","params":[1]}"#)) == -32602)
    }

    @Test func notificationsGetNoAnswer() async {
        #expect(await respond(#"{"jsonrpc":"2.0","method":"Echo"}"#) == nil)
        #expect(await respond(#"[{"jsonrpc":"2.0","method":"Echo"},{"jsonrpc":"2.0","method":"Nope"}]"#) == nil)
    }

    @Test func explicitNullIdIsARequestNotANotification() async {
        let answer = object(await respond(#"{"jsonrpc":"2.0","id":null,"method":"Echo"}"#))
        #expect(answer["id"] is NSNull)
        #expect(answer["result"] != nil)
    }

    @Test func batchesAnswerEachRequestInOrder() async {
        let answer = await respond("""
            [{"jsonrpc":"2.0","id":1,"method":"Echo","params":{"n":1}},
             {"jsonrpc":"2.0","method":"Echo"},
             {"jsonrpc":"2.0","id":2,"method":"Nope"},
             42,
             {"jsonrpc":"2.0","id":3,"method":"Echo","params":{"n":3}}]
            """) as? [Any]
        #expect(answer?.count == 4)
        #expect(object(answer?[0])["id"] as? Int == 1)
        #expect(errorCode(answer?[1]) == -32601)
        #expect(errorCode(answer?[2]) == -32600)
        #expect(object(object(answer?[3])["result"])["n"] as? Int == 3)
        let single = await respond(#"[{"jsonrpc":"2.0","id":1,"method":"Echo"}]"#)
        #expect((single as? [Any])?.count == 1)
    }
}
