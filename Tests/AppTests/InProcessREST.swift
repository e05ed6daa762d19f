import Store
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import TestSupport
@testable import App
@testable import Proxy
@testable import Store
@testable import Telemetry

/// The REST API in this process, for the tests where a `notely` process adds nothing: the same
/// router and middleware over `NotelyActions` on real SQLite files — a sharded note store and
/// the accounts database in a temporary data dir, a `ReshardingWorker` taking the steps of
/// moves — with no proxy, no deployment controller and no socket.
///
/// Requests go straight to the router's responder, as HummingbirdTesting's `.router` setup
/// does; that setup is not used because it fixes every request's authority to `localhost`,
/// which the API's `Host` check (`localhost:PORT` or `127.0.0.1:PORT` only) rightly refuses.
final class InProcessREST: Sendable {
    /// The port the API believes it listens on: the `Host` it answers to.
    static let port = 8080

    let directory: TemporaryDirectory
    let notes: ShardedNoteStore
    let accounts: SQLiteAccountStore
    let actions: NotelyActions
    private let responder: any HTTPResponder<BasicRequestContext>
    private let worker: Task<Void, any Error>
    /// The router with its middleware, once more, for `serve`.
    private let makeRouter: @Sendable (_ port: @escaping @Sendable () -> Int?) -> Router<BasicRequestContext>

    init(shards: Int = 2) async throws {
        directory = TemporaryDirectory("notely-rest")
        let dataDirectory = DataDirectory(path: directory.path)
        notes = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: shards)
        accounts = try SQLiteAccountStore(dataDirectory: dataDirectory)
        let placement = ReshardingWorker(notes: notes, accounts: accounts,
                                         initial: try await ReshardingWorker.read(notes: notes, accounts: accounts),
                                         logger: Logger(label: "test"))
        actions = NotelyActions(accounts: accounts, notes: notes, controller: nil, placement: placement)
        let stats = StatsCollector()
        let actions = actions
        makeRouter = { port in
            RESTAPI(actions: actions, stats: stats, snapshot: {
                ServiceSnapshot(deployment: .init(), proxies: [:], shards: stats.collectShardStats(), load: .idle,
                                api: stats.collectRouteStats(), placement: placement.view,
                                service: .init(restAddress: port().map { "127.0.0.1:\($0)" }, uptimeSeconds: 0,
                                               shardCount: placement.view.placement.activeShards.count))
            }, listeningPort: port).router()
        }
        responder = makeRouter({ Self.port }).buildResponder()
        worker = Task { try await placement.run() }
    }

    deinit {
        worker.cancel()
    }

    struct Answer {
        let status: Int
        let json: Any?
        let text: String
        let headers: HTTPFields
    }

    /// One request; a body is JSON unless `headers` say otherwise, and `Host` is the API's own
    /// unless `headers` give another.
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)]? = nil) async throws -> Answer {
        var fields = HTTPFields()
        var authority = "127.0.0.1:\(Self.port)"
        for (name, value) in headers ?? (body == nil ? [] : [("Content-Type", "application/json")]) {
            if name.lowercased() == "host" { authority = value; continue }
            fields.append(HTTPField(name: try require(HTTPField.Name(name), "header name \(name)"), value: value))
        }
        if let body { fields[.contentLength] = String(body.utf8.count) }
        let request = Request(
            head: HTTPRequest(method: try require(HTTPRequest.Method(method.rawValue), "method"), scheme: "http", authority: authority,
                              path: path, headerFields: fields),
            body: RequestBody(buffer: ByteBuffer(string: body ?? "")))
        let response = try await responder.respond(to: request, context: BasicRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: Logger(label: "test"))))
        let collected = Shared(ByteBuffer())
        try await response.body.write(BodyCollector(collected: collected))
        let text = String(buffer: collected.value)
        return Answer(status: Int(response.status.code),
                      json: try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
                      text: text, headers: response.headers)
    }

    /// The same API served over real HTTP on a free loopback port, for what only the wire
    /// shows (the fuzz: bytes an HTTP parser must cope with). Answers its base URL; the server
    /// stops when `body` returns.
    func serve<T>(_ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let port = AsyncPromise<Int>()
        let app = Application(router: makeRouter({ port.value }),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "notely-test"),
                              onServerRunning: { channel in port.fulfill(channel.localAddress?.port ?? 0) },
                              logger: Logger(label: "test"))
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let baseURL = "http://127.0.0.1:\(try await port.wait())"
        return try await body(baseURL)
    }

    /// `request` as the process-based harnesses answer it.
    func request(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
        let answer = try await send(method, path, body: body)
        return (answer.status, answer.json, answer.text)
    }
}

/// Collects a response body in memory (the writer is consumed, so the bytes live outside it).
private struct BodyCollector: ResponseBodyWriter {
    let collected: Shared<ByteBuffer>

    mutating func write(_ buffer: ByteBuffer) async throws {
        collected.update { bytes in
            var buffer = buffer
            bytes.writeBuffer(&buffer)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
