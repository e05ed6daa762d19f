import Foundation
import Logging
import Store
import Telemetry

/// The data proxy's brain: turns JSON-RPC calls into `NoteStore` calls on the shards.
///
/// Every store call runs under one FIFO lock, so the proxy is a single, linearizable view of
/// the data however many clients call at once; `Ready` and `ExportShardStats` bypass the lock
/// so health polling never waits behind a slow write. `DataProxyServer` puts it on HTTP.
public final class DataProxy: Sendable {
    public let proxyId: Int
    public let stats: StatsCollector
    private let store: ShardedNoteStore
    private let lock = AsyncLock()
    private let startedAt = Date()

    public init(proxyId: Int, store: ShardedNoteStore, stats: StatsCollector = StatsCollector()) {
        self.proxyId = proxyId
        self.store = store
        self.stats = stats
        stats.registerShards(store.router.shardNames)
    }

    public var readyInfo: ReadyInfo {
        ReadyInfo(ready: true, proxyId: proxyId, pid: Int(getpid()), shards: store.router.shardNames, startedAt: startedAt)
    }

    /// Answers one call: the encoded result, or the error to send.
    public func handle(_ request: RPCRequest) async -> RPCOutcome {
        guard let method = RPCMethod(rawValue: request.method) else { return .failure(.methodNotFound(request.method)) }
        let params = RPCParams(values: request.params)
        do {
            switch method {
            case .ready: return try encode(readyInfo)
            case .exportShardStats: return try encode(stats.collectDataStoreStats())
            default:
                let result: Data = try await lock.withLock { try await self.callStore(method, params) }
                return .success(result)
            }
        } catch let error as RPCError {
            return .failure(error)
        } catch let error as StoreError {
            return .failure(error.rpcError)
        } catch {
            return .failure(.internalError("\(error)"))
        }
    }

    private func callStore(_ method: RPCMethod, _ params: RPCParams) async throws -> Data {
        switch method {
        case .listNotes:
            let accountId = try params.uuid("accountId")
            count(.list, accountId)
            var writer = JSONWriter(capacity: 4096)
            writer.notes(try await store.listNotes(accountId: accountId))
            return writer.data
        case .getNote:
            let accountId = try params.uuid("accountId")
            let noteId = try params.uuid("noteId")
            count(.read, accountId)
            guard let note = try await store.getNote(accountId: accountId, noteId: noteId) else { return Self.null }
            var writer = JSONWriter()
            writer.note(note)
            return writer.data
        case .createNote:
            let (accountId, note) = (try params.uuid("accountId"), try params.note("note"))
            count(.create, accountId)
            try await store.createNote(accountId: accountId, note: note)
            return Self.null
        case .updateNote:
            let (accountId, note) = (try params.uuid("accountId"), try params.note("note"))
            count(.update, accountId)
            try await store.updateNote(accountId: accountId, note: note)
            return Self.null
        case .deleteNote:
            let (accountId, note) = (try params.uuid("accountId"), try params.note("note"))
            count(.delete, accountId)
            try await store.deleteNote(accountId: accountId, note: note)
            return Self.null
        case .countNotes:
            return Data(String(try await store.countNotes(accountId: try params.uuid("accountId"))).utf8)
        case .getTotalNotes:
            return Data(String(try await store.totalNotes()).utf8)
        case .healthCheck:
            try await store.healthCheck()
            return Self.null
        case .ready, .exportShardStats:
            preconditionFailure("\(method) is answered without the store lock")
        }
    }

    private func count(_ operation: DataStoreOperation, _ accountId: UUID) {
        stats.recordDataStoreAccess(operation, shard: ShardRouter.shardName(store.router.shard(for: accountId)))
    }

    private static let null = Data("null".utf8)

    /// For the two calls outside the store lock; the store's answers are written by hand.
    private func encode(_ value: some Encodable) throws -> RPCOutcome {
        .success(try JSONCoding.encoder().encode(value))
    }
}
