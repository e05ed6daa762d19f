import Foundation
import Testing
import Store
import TestSupport
@testable import Proxy

/// The proxy's `/rpc` handler (`RPCHTTPHandler`) as a careless or broken client meets it, in
/// process: the server's own handlers on NIO's testing channel (`EmbeddedRPC`), bytes in and
/// bytes out, over real SQLite files. What needs a real socket is `ProxyTransportTests`.
@Suite struct RPCHandlerTests {
    private func withRPC(_ body: (EmbeddedRPC) async throws -> Void) async throws {
        let rpc = try await EmbeddedRPC()
        do {
            try await body(rpc)
        } catch {
            try await rpc.close()
            throw error
        }
        try await rpc.close()
    }

    @Test func pipelinedCallsAreAnsweredInOrderOnOneConnection() async throws {
        try await withRPC { connection in
            // A store call (answered from the store's thread) between two answered on the event
            // loop: the answers still come in the order asked.
            let account = UUID().uuidString.lowercased()
            let count = #"{"jsonrpc":"2.0","id":2,"method":"CountNotes","params":{"accountId":"\#(account)"}}"#
            let token = EmbeddedRPC.token
            try await connection.send(RawRPC.post(RawRPC.ready(id: 1), token: token) + RawRPC.post(count, token: token)
                + RawRPC.post(RawRPC.ready(id: 3), token: token))
            var answers: [RawHTTPResponse] = []
            for _ in 1...3 { answers.append(try await connection.response()) }
            #expect(answers.map(\.status) == [200, 200, 200])
            #expect(answers[0].body.contains(#""id":1"#) && answers[0].body.contains(#""ready":true"#), "\(answers[0].body)")
            #expect(answers[1].body.contains(#""id":2"#) && answers[1].body.contains(#""result":0"#), "\(answers[1].body)")
            #expect(answers[2].body.contains(#""id":3"#), "\(answers[2].body)")
        }
    }

    @Test func aChunkedBodyIsReadWhole() async throws {
        try await withRPC { connection in
            let body = RawRPC.ready(id: 4)
            let (first, second) = (body.prefix(10), body.dropFirst(10))
            try await connection.send("POST /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nAuthorization: Bearer \(EmbeddedRPC.token)\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + String(first.utf8.count, radix: 16) + "\r\n\(first)\r\n" + String(second.utf8.count, radix: 16) + "\r\n\(second)\r\n0\r\n\r\n")
            let answer = try await connection.response()
            #expect(answer.status == 200 && answer.body.contains(#""id":4"#), "\(answer.body)")
        }
    }

    @Test func aClientThatAsksBeforeSendingItsBodyIsToldToGoOn() async throws {
        try await withRPC { connection in
            let request = RawRPC.post(RawRPC.ready(id: 5), token: EmbeddedRPC.token, headers: "Expect: 100-continue\r\n")
            let headEnd = try #require(request.range(of: "\r\n\r\n")).upperBound
            try await connection.send(String(request[..<headEnd]))
            #expect(try await connection.response().status == 100)   // what curl waits a second for
            try await connection.send(String(request[headEnd...]))
            let answer = try await connection.response()
            #expect(answer.status == 200 && answer.body.contains(#""id":5"#), "\(answer.body)")
        }
    }

    @Test func otherPathsAndMethodsAreRefusedAndTheConnectionServesOnWhenNoBodyFollows() async throws {
        try await withRPC { connection in
            try await connection.send("GET /rpc HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer \(EmbeddedRPC.token)\r\n\r\n")
            let wrongMethod = try await connection.response()
            #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "POST", "\(wrongMethod)")
            #expect(wrongMethod.body.contains("use POST"))
            try await connection.send("POST /nope?x=1 HTTP/1.1\r\nHost: proxy\r\nContent-Length: 0\r\n\r\n")
            let wrongPath = try await connection.response()
            #expect(wrongPath.status == 404 && wrongPath.body.contains("no such path: POST /nope"), "\(wrongPath)")
            try await connection.send(RawRPC.post(RawRPC.ready(id: 2), token: EmbeddedRPC.token).replacingOccurrences(of: "POST /rpc", with: "POST /rpc?trace=1"))
            let served = try await connection.response()
            #expect(served.status == 200 && served.body.contains(#""id":2"#), "\(served)")
        }
    }

    /// Refused at its head, a request with a body still to come is answered before a byte of
    /// that body arrives.
    @Test func aRefusalIsAnsweredBeforeTheBody() async throws {
        try await withRPC { connection in
            try await connection.send("POST /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n"
                + "Expect: 100-continue\r\n\r\n")
            let answer = try await connection.response()
            #expect(answer.status == 401 && answer.headers["connection"] == "close", "\(answer)")
        }
    }
}
