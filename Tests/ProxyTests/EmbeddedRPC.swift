import Foundation
import NIOCore
import NIOEmbedded
import TestSupport
@testable import Proxy
@testable import Store

/// A proxy's `/rpc` in this process, for the tests where a child process adds nothing: the
/// server's own handlers (`DataProxyServer.configure`) on NIO's `NIOAsyncTestingChannel` — as
/// swift-nio tests its handlers — in front of a `DataProxy` on real SQLite files. Bytes go in
/// as a client would send them; what the handlers write comes out as bytes.
final class EmbeddedRPC: Sendable {
    static let token = "embedded-token"

    let directory: TemporaryDirectory
    let store: ShardedNoteStore
    private let proxy: DataProxy
    private let token: String?
    /// The connection now, and the bytes it wrote that no response was read from yet.
    private let connection: Shared<(channel: NIOAsyncTestingChannel, received: [UInt8])>

    init(token: String? = EmbeddedRPC.token) async throws {
        directory = TemporaryDirectory("notely-rpc")
        store = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCountIfNew: 2)
        proxy = DataProxy(proxyId: 1, store: store)
        self.token = token
        connection = Shared((try await Self.connect(proxy, token: token), []))
    }

    private static func connect(_ proxy: DataProxy, token: String?) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.testingEventLoop.executeInContext {
            try DataProxyServer.configure(channel, proxy: proxy, token: token, storeExecutor: StoreExecutor())
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    var channel: NIOAsyncTestingChannel { connection.value.channel }

    /// A new connection, as a client opens one after the proxy closed the last.
    func reconnect() async throws {
        let old = channel
        _ = try? await old.finish()
        let fresh = try await Self.connect(proxy, token: token)
        connection.update { $0 = (fresh, []) }
    }


    /// Sends raw bytes, as they would arrive on the connection.
    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeInbound(channel.allocator.buffer(bytes: bytes))
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// The next whole response the handlers wrote (a store call's answer comes from another
    /// thread: this waits for it).
    func response() async throws -> RawHTTPResponse {
        while true {
            let taken = connection.update { connection in Result { try RawHTTPResponse.take(from: &connection.received) } }
            if let response = try taken.get() { return response }
            let written = try await channel.waitForOutboundWrite(as: IOData.self)
            guard case .byteBuffer(let buffer) = written else { continue }
            connection.update { $0.received += Array(buffer.readableBytesView) }
        }
    }

    /// One `POST /rpc` with a body, and its answer.
    func post(_ body: [UInt8], headers: [(String, String)] = [("Content-Type", "application/json"),
                                                              ("Authorization", "Bearer \(EmbeddedRPC.token)")]) async throws -> RawHTTPResponse {
        var head = "POST /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try await send(Array((head + "\r\n").utf8) + body)
        return try await response()
    }

    func close() async throws {
        _ = try? await channel.finish()
        try store.close()
    }
}
