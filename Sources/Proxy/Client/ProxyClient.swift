import Foundation
import NIOCore
import NIOHTTP1
import Store
import Synchronization
import Telemetry

/// A `NoteStore` that lives in another process: each call is one JSON-RPC request to a data
/// proxy over a kept-alive HTTP connection. Store errors come back as the same `StoreError`.
/// With a `StatsCollector` it counts its note calls under its version, which is how the
/// dashboard shows requests per version during a rollout.
public final class ProxyClient: NoteStore {
    public let id: Int
    /// `host:port` of the proxy.
    public let address: String
    private let pool: RPCConnectionPool
    /// Host, media type and token: the same on every request.
    private let headers: HTTPHeaders
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
        self.address = address
        self.timeout = timeout
        let colon = address.lastIndex(of: ":")
        let host = colon.map { String(address[..<$0]) } ?? address
        let port = colon.flatMap { Int(address[address.index(after: $0)...]) } ?? 80
        pool = RPCConnectionPool(host: host, port: port, proxyId: id)
        var headers: HTTPHeaders = ["host": address, "content-type": "application/json"]
        if let token { headers.add(name: "authorization", value: "Bearer \(token)") }
        self.headers = headers
    }

    /// Closes the connections. Call once, when the proxy is retired.
    public func shutdown() async {
        pool.shutdown()
    }

    /// Connections kept open for the next calls (at most `RPCConnectionPool.maxIdle`).
    var idleConnections: Int { pool.idleConnections }

    // MARK: NoteStore

    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        try await perform(call, deadline: Date() + Double(timeout.nanoseconds) / 1e9)
    }

    /// How much earlier than this side stops waiting the proxy is told the call's deadline is:
    /// time for a call that passed its last deadline check (every lock held) to commit and
    /// answer. So a call this side gave up on was refused unapplied, or had landed — and
    /// answered — before it gave up; it never lands later (docs/DEPLOYMENTS.md, "Deadlines").
    public static let landingAllowance: TimeInterval = 0.5

    /// Sends the call with its deadline: the proxy refuses it unapplied once the deadline
    /// (less the landing allowance) has passed, and this side stops waiting at the deadline.
    public func perform(_ call: NoteStoreCall, deadline: Date) async throws -> NoteStoreAnswer {
        var roundTrip: Duration?
        return try await perform(call, deadline: deadline, roundTrip: &roundTrip)
    }

    /// The same, setting `roundTrip` once an answer came — a result or an error — to the time
    /// the proxy took as the event loop saw it (`RPCHTTPAnswer.roundTrip`): a rollout step
    /// judges a version on that, not on how long a busy caller's executor took to resume it.
    public func perform(_ call: NoteStoreCall, deadline: Date, roundTrip: inout Duration?) async throws -> NoteStoreAnswer {
        let operation = call.operation
        if let counted = operation.dataStoreOperation { stats?.recordProxyCall(version: id, counted) }
        let left = TimeAmount.nanoseconds(max(1, Int64(deadline.timeIntervalSinceNow * 1e9)))
        let result = try await send(.store(operation), timeout: left, deadline: deadline - Self.landingAllowance, roundTrip: &roundTrip) {
            call.writeParams(into: &$0)
        }
        do {
            return try NoteStoreAnswer(operation, result: result)
        } catch {
            throw badResult(.store(operation), error.reason)
        }
    }

    // MARK: Proxy-only calls

    /// - Parameter timeout: how long to wait for the answer (health checks use a short one,
    ///   so a hung proxy is noticed in seconds).
    public func ready(timeout: TimeAmount? = nil) async throws -> ReadyInfo {
        let result = try await send(.ready, timeout: timeout)
        guard let info = ReadyInfo(json: result) else { throw badResult(.ready, "not a ready answer: \(result)") }
        return info
    }

    /// `ExportShardStats` is rare (once a second) and deeply structured, so its answer goes
    /// through `Codable` once more instead of a hand-written reader.
    public func exportShardStats(timeout: TimeAmount? = nil) async throws -> DataStoreStats {
        let result = try await send(.exportShardStats, timeout: timeout)
        var writer = JSONWriter()
        writer.value(result)
        do {
            return try JSONDecoder().decode(DataStoreStats.self, from: writer.data)
        } catch {
            throw badResult(.exportShardStats, "\(error)")
        }
    }

    /// Makes the proxy misbehave on purpose (`SetFault`), or behave again with nil.
    public func setFault(_ fault: Misbehaviour?, timeout: TimeAmount? = nil) async throws {
        _ = try await send(.setFault, timeout: timeout) { writer in
            writer.raw(#"{"fault":"#)
            if let fault { writer.string(fault.rawValue) } else { writer.raw("null") }
            writer.raw("}")
        }
    }

    private func badResult(_ method: RPCMethod, _ reason: String) -> ProxyClientError {
        Self.badResult(method, reason, proxyId: id)
    }

    private static func badResult(_ method: RPCMethod, _ reason: String, proxyId: Int) -> ProxyClientError {
        .badResponse(proxyId: proxyId, reason: "\(method.name): \(reason)")
    }

    // MARK: Transport

    /// Sends one request and returns its result (`.null` for a JSON null), or throws the
    /// error it was answered with: a `StoreError` for Notely's application codes.
    func send(_ method: RPCMethod, timeout: TimeAmount? = nil, deadline: Date? = nil,
              params: (inout JSONWriter) -> Void = { $0.raw("{}") }) async throws -> JSONValue {
        var roundTrip: Duration?
        return try await send(method, timeout: timeout, deadline: deadline, roundTrip: &roundTrip, params: params)
    }

    private func send(_ method: RPCMethod, timeout: TimeAmount?, deadline: Date?, roundTrip: inout Duration?,
                      params: (inout JSONWriter) -> Void) async throws -> JSONValue {
        let requestId = nextRequestId.wrappingAdd(1, ordering: .relaxed).oldValue
        let body = ByteBuffer(bytes: Self.body(id: requestId, method: method, params: params))
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/rpc", headers: headers)
        head.headers.add(name: "content-length", value: String(body.readableBytes))
        if let deadline { head.headers.add(name: CallDeadline.header, value: CallDeadline.headerValue(deadline)) }

        let answer = try await pool.exchange(head, body: body, timeout: timeout ?? self.timeout)
        roundTrip = .nanoseconds(answer.roundTrip.nanoseconds)
        guard answer.status == .ok else {
            throw ProxyClientError.httpStatus(proxyId: id, status: Int(answer.status.code), body: String(buffer: answer.body))
        }
        return try answer.body.withUnsafeReadableBytes { raw in
            try Self.result(of: raw.assumingMemoryBound(to: UInt8.self), method: method, proxyId: id)
        }
    }

    /// Reads a JSON-RPC answer: its result, or the error it carries thrown as a `StoreError`
    /// (Notely's codes) or `ProxyClientError.rpc`; anything else is a `badResponse`.
    static func result(of body: UnsafeBufferPointer<UInt8>, method: RPCMethod, proxyId: Int) throws -> JSONValue {
        func bad(_ reason: String) -> ProxyClientError { badResult(method, reason, proxyId: proxyId) }
        let answer: JSONValue
        do {
            answer = try JSONParser.parse(body)
        } catch {
            throw bad("the answer is not JSON: \(error)")
        }
        guard case .object(let envelope) = answer else { throw bad("the answer is \(answer.kindName), not an object") }
        if let error = envelope["error"], error != .null {
            guard let rpcError = RPCError(json: error) else { throw bad("a malformed error object") }
            if let storeError = StoreError(rpcError: rpcError) { throw storeError }
            throw ProxyClientError.rpc(proxyId: proxyId, rpcError)
        }
        guard let result = envelope["result"] else { throw bad("neither a result nor an error") }
        return result
    }

    static func body(id: Int, method: RPCMethod, params: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw(#"{"jsonrpc":"2.0","id":"#)
        writer.integer(id)
        writer.raw(#","method":"#)
        writer.string(method.name)
        writer.raw(#","params":"#)
        params(&writer)
        writer.raw("}")
        return writer.bytes
    }
}
