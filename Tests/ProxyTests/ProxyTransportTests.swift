import Foundation
import Testing
import Store
import TestSupport
@testable import Proxy
#if canImport(Glibc)
import Glibc
#endif

/// The proxy's HTTP/1.1 over a real socket, where the socket is the point — connections closed,
/// half-closed, left mid-body, bytes that are not HTTP — and the client's pool as the routing
/// relies on it (`RPCConnectionPool`). What needs no socket is `RPCHandlerTests`, in process.
@Suite struct ProxyTransportTests {
    /// Runs `body` against a fresh proxy child, which is stopped afterwards whatever happens.
    private func withProxy(_ body: (DataProxyProcess) async throws -> Void) async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch()
        do {
            try await body(proxy)
        } catch {
            await proxy.shutdown(logger: harness.logger)
            throw error
        }
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func connectionCloseIsHonouredAfterTheAnswer() async throws {
        try await withProxy { proxy in
            let connection = try RawHTTPConnection(port: proxy.port)
            try connection.send(RawRPC.post(RawRPC.ready(id: 7), token: proxy.token, headers: "Connection: close\r\n"))
            let answer = try connection.response()
            #expect(answer.status == 200 && answer.body.contains(#""id":7"#))
            #expect(answer.headers["connection"] == "close")
            #expect(try connection.isClosedByPeer())
        }
    }

    /// A request refused at its head is answered at once, before its body — a client that
    /// declares 10 MB and waits for an answer gets one — and the connection closes, since the
    /// rest of that body can't be told from a next request.
    @Test func aRequestRefusedAtItsHeadIsAnsweredBeforeItsBodyAndTheConnectionCloses() async throws {
        try await withProxy { proxy in
            for (head, status) in [("POST /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n", 401),
                                   ("POST /rpc HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer \(proxy.token)\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n", 413),
                                   ("POST /rpc HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer \(proxy.token)\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n", 415),
                                   ("PUT /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Length: 5000\r\n", 405),
                                   ("POST /elsewhere HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n", 404)] {
                let connection = try RawHTTPConnection(port: proxy.port)
                try connection.send(head + "Expect: 100-continue\r\n\r\n")
                let answer = try connection.response()
                #expect(answer.status == status && answer.headers["connection"] == "close", "\(answer)")
                #expect(try connection.isClosedByPeer())
            }
            #expect(try await proxy.client.ready().ready)
        }
    }

    /// A chunked body that grows past the limit as it arrives: answered 413 at once, and the
    /// rest — and a request pipelined after it — read and dropped, not run and not met with a
    /// reset that would destroy the answer before the client reads it.
    @Test func aBodyFoundTooLargeAsItArrivesIsAnsweredAndTheRestDropped() async throws {
        try await withProxy { proxy in
            let connection = try RawHTTPConnection(port: proxy.port)
            let chunk = String(repeating: "x", count: 64 << 10)
            var request = "POST /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nAuthorization: Bearer \(proxy.token)\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
            for _ in 0..<24 { request += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n" }   // 1.5 MiB
            request += "0\r\n\r\n" + RawRPC.post(RawRPC.ready(id: 9), token: proxy.token)
            try connection.send(request)
            let answer = try connection.response()
            #expect(answer.status == 413 && answer.headers["connection"] == "close", "\(answer)")
            #expect(try connection.isClosedByPeer(), "the pipelined Ready was dropped, not answered")
        }
    }

    @Test func bytesThatAreNotHTTPGetA400AndTheProxyServesOn() async throws {
        try await withProxy { proxy in
            let garbage = try RawHTTPConnection(port: proxy.port)
            try garbage.send("\u{1}\u{2}NOT HTTP AT ALL\r\n\r\n")
            #expect(try garbage.response().status == 400)
            #expect(try garbage.isClosedByPeer())
            #expect(try await proxy.client.ready().ready)
        }
    }

    @Test func aClientThatLeavesMidBodyCostsNothing() async throws {
        try await withProxy { proxy in
            let account = UUID()
            var writer = JSONWriter()
            writer.raw(#"{"jsonrpc":"2.0","id":1,"method":"CreateNote","params":"#)
            NoteStoreCall.createNote(accountId: account, note: Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "cut"))
                .writeParams(into: &writer)
            writer.raw("}")
            do {
                let leaving = try RawHTTPConnection(port: proxy.port)
                try leaving.send(String(RawRPC.post(String(decoding: writer.bytes, as: UTF8.self), token: proxy.token).dropLast(2)))
            }
            #expect(try await proxy.client.countNotes(accountId: account) == 0)
            #expect(try await proxy.client.ready().ready)
        }
    }

    @Test func aHungProxyTimesOutAsMaybeReachedAndACancelledCallReturns() async throws {
        try await withProxy { proxy in
            let client = ProxyClient(id: 1, address: "127.0.0.1:\(proxy.port)", token: proxy.token)
            #expect(try await client.ready().ready)
            kill(proxy.pid, SIGSTOP)
            do {
                _ = try await client.ready(timeout: .milliseconds(200))
                Issue.record("a stopped proxy answered")
            } catch let error as ProxyClientError {
                #expect(error.mayHaveReachedAProxyThatFailed, "\(error)")
                #expect("\(error)".contains("no answer within 200 ms"), "\(error)")
            }
            let waiting = Task { try await client.ready(timeout: .seconds(600)) }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiting.value }
            kill(proxy.pid, SIGCONT)
            #expect(try await client.ready().ready)
            await client.shutdown()
            await #expect(throws: ProxyClientError.notSent(proxyId: 1, reason: "the client is shut down")) { _ = try await client.ready() }
        }
    }

    @Test func manyConcurrentCallsAllSucceedAndFewConnectionsStayOpen() async throws {
        try await withProxy { proxy in
            let client = ProxyClient(id: 1, address: "127.0.0.1:\(proxy.port)", token: proxy.token)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<64 { group.addTask { for _ in 0..<5 { _ = try await client.ready() } } }
                try await group.waitForAll()
            }
            #expect((1...RPCConnectionPool.maxIdle).contains(client.idleConnections), "\(client.idleConnections)")
            await client.shutdown()
            #expect(client.idleConnections == 0)
        }
    }
}
