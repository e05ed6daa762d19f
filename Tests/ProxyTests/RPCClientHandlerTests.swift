import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import TestSupport
@testable import Proxy

/// The caller's end of one pooled connection (`RPCClientHandler`) on NIO's `EmbeddedChannel`,
/// as swift-nio tests its own handlers: an exchange goes out as its HTTP parts, the answer's
/// parts complete its promise, and a connection that ends first fails it — which is what tells
/// the routing a call may have reached a proxy that failed.
@Suite struct RPCClientHandlerTests {
    let channel = EmbeddedChannel(handler: RPCClientHandler())
    let answer = Shared<Result<RPCHTTPAnswer, any Error>?>(nil)

    /// Writes one exchange; returns the parts that went out.
    func send(_ body: String = #"{"jsonrpc":"2.0","id":1,"method":"Ready"}"#) throws -> [HTTPClientRequestPart] {
        let promise = channel.eventLoop.makePromise(of: RPCHTTPAnswer.self)
        let answer = answer
        promise.futureResult.whenComplete { result in answer.update { $0 = result } }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/rpc", headers: ["content-length": String(body.utf8.count)])
        try channel.writeOutbound(RPCExchange(head: head, body: ByteBuffer(string: body), answer: promise))
        var parts: [HTTPClientRequestPart] = []
        while let part = try channel.readOutbound(as: HTTPClientRequestPart.self) { parts.append(part) }
        return parts
    }

    func respond(_ status: HTTPResponseStatus, headers: HTTPHeaders = [:], body parts: [String]) throws {
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        for part in parts { try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: part))) }
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
    }

    @Test func anExchangeGoesOutWholeAndItsAnswerComesBackJoined() throws {
        let parts = try send()
        #expect(parts.count == 3)
        guard case .head(let head) = parts[0], case .body(.byteBuffer(let body)) = parts[1], case .end = parts[2] else {
            Issue.record("not head, body, end: \(parts)")
            return
        }
        #expect(head.method == .POST && head.uri == "/rpc" && String(buffer: body).contains("Ready"))
        #expect(answer.value == nil, "no answer before the proxy's")
        try respond(.ok, body: [#"{"jsonrpc":"2.0","#, #""id":1,"result":null}"#])
        let got = try #require(try answer.value?.get())
        #expect(got.status == .ok && String(buffer: got.body) == #"{"jsonrpc":"2.0","id":1,"result":null}"# && got.keepAlive)

        answer.update { $0 = nil }
        _ = try send()   // the connection carries the next request
        try respond(.unauthorized, headers: ["connection": "close"], body: [])
        let closing = try #require(try answer.value?.get())
        #expect(closing.status == .unauthorized && !closing.keepAlive && closing.body.readableBytes == 0)
    }

    @Test func aConnectionThatEndsBeforeTheAnswerFailsTheCall() throws {
        _ = try send()
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: "{\"half")))
        _ = try? channel.finish()   // the proxy went away mid-answer
        #expect(throws: ConnectionClosedEarly.self) { try answer.value?.get() }
    }

    @Test func anErrorOnTheConnectionFailsTheCallAndClosesIt() throws {
        struct Broken: Error {}
        _ = try send()
        channel.pipeline.fireErrorCaught(Broken())
        #expect(throws: Broken.self) { try answer.value?.get() }
        #expect(!channel.isActive)
    }
}
