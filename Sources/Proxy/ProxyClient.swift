import AsyncHTTPClient
import Foundation
import NIOCore
import Store
import Synchronization
import Telemetry

/// A `NoteStore` that lives in another process: each call is one JSON-RPC request to a data
/// proxy over a kept-alive HTTP connection. Store errors come back as the same `StoreError`.
/// With a `StatsCollector` it counts its note calls under its version, which is how the
/// dashboard shows requests per version during a rollout.
public final class ProxyClient: NoteStore {
    public let id: Int
    public let url: String
    private let token: String?
    private let http: HTTPClient
    private let nextRequestId = Atomic<Int>(1)
    private let timeout: TimeAmount
    private let stats: StatsCollector?

    /// - Parameters:
    ///   - id: the version number of the proxy, for errors and telemetry.
    ///   - address: `host:port` of the proxy.
    ///   - token: the bearer token the proxy was started with, if any.
    public init(id: Int, address: String, token: String? = nil, timeout: TimeAmount = .seconds(10), stats: StatsCollector? = nil) {
        self.id = id
        self.stats = stats
        self.url = "http://\(address)/rpc"
        self.token = token
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        // On loopback a refused connection means no proxy is there: fail at once (as `notSent`)
        // instead of retrying until the connect timeout, so callers can go elsewhere.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(2), read: timeout)
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the connections. Call once, when the proxy is retired.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: NoteStore

    public func listNotes(accountId: UUID) async throws -> [Note] {
        stats?.recordProxyCall(version: id, .list)
        return try await call(.listNotes, AccountParams(accountId: accountId)) ?? []
    }

    public func getNote(accountId: UUID, noteId: UUID) async throws -> Note? {
        stats?.recordProxyCall(version: id, .read)
        return try await call(.getNote, NoteIdParams(accountId: accountId, noteId: noteId))
    }

    public func createNote(accountId: UUID, note: Note) async throws {
        stats?.recordProxyCall(version: id, .create)
        let _: JSONValue? = try await call(.createNote, NoteParams(accountId: accountId, note: note))
    }

    public func updateNote(accountId: UUID, note: Note) async throws {
        stats?.recordProxyCall(version: id, .update)
        let _: JSONValue? = try await call(.updateNote, NoteParams(accountId: accountId, note: note))
    }

    public func deleteNote(accountId: UUID, note: Note) async throws {
        stats?.recordProxyCall(version: id, .delete)
        let _: JSONValue? = try await call(.deleteNote, NoteParams(accountId: accountId, note: note))
    }

    public func countNotes(accountId: UUID) async throws -> Int {
        try await required(.countNotes, AccountParams(accountId: accountId))
    }

    public func totalNotes() async throws -> Int {
        try await required(.getTotalNotes, NoParams())
    }

    public func healthCheck() async throws {
        let _: JSONValue? = try await call(.healthCheck, NoParams())
    }

    // MARK: Proxy-only calls

    /// - Parameter timeout: how long to wait for the answer (health checks use a short one,
    ///   so a hung proxy is noticed in seconds).
    public func ready(timeout: TimeAmount? = nil) async throws -> ReadyInfo {
        try await required(.ready, NoParams(), timeout: timeout)
    }

    public func exportShardStats(timeout: TimeAmount? = nil) async throws -> DataStoreStats {
        try await required(.exportShardStats, NoParams(), timeout: timeout)
    }

    // MARK: Transport

    private func required<Result: Decodable>(_ method: RPCMethod, _ params: some Encodable, timeout: TimeAmount? = nil) async throws -> Result {
        guard let result: Result = try await call(method, params, timeout: timeout) else {
            throw ProxyClientError.badResponse(proxyId: id, reason: "\(method.rawValue) returned null")
        }
        return result
    }

    /// Sends one request and decodes its result (nil for a JSON null).
    public func call<Result: Decodable>(_ method: RPCMethod, _ params: some Encodable, timeout: TimeAmount? = nil) async throws -> Result? {
        let requestId = nextRequestId.wrappingAdd(1, ordering: .relaxed).oldValue
        let body = try JSONCoding.encoder().encode(RequestBody(id: requestId, method: method.rawValue, params: params))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body))

        let status: UInt
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout ?? self.timeout)
            status = response.status.code
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ProxyClientError.classify(error, proxyId: id)
        }
        guard status == 200 else {
            throw ProxyClientError.httpStatus(proxyId: id, status: Int(status), body: String(buffer: bytes))
        }
        let envelope: ResponseBody<Result>
        do {
            envelope = try JSONDecoder().decode(ResponseBody<Result>.self, from: Data(buffer: bytes))
        } catch {
            throw ProxyClientError.badResponse(proxyId: id, reason: "\(error)")
        }
        if let error = envelope.error {
            if let storeError = StoreError(rpcError: error) { throw storeError }
            throw ProxyClientError.rpc(proxyId: id, error)
        }
        return envelope.result
    }
}

private struct RequestBody<Params: Encodable>: Encodable {
    let jsonrpc = "2.0"
    let id: Int
    let method: String
    let params: Params
}

private struct ResponseBody<Result: Decodable>: Decodable {
    let result: Result?
    let error: RPCError?
}

private struct NoParams: Encodable {}

private struct AccountParams: Encodable {
    let accountId: UUID
}

private struct NoteIdParams: Encodable {
    let accountId: UUID
    let noteId: UUID
}

private struct NoteParams: Encodable {
    let accountId: UUID
    let note: Note
}
