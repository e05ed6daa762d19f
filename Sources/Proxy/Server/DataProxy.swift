import Foundation
import Logging
import Store
import Synchronization
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
    /// A demo fault it was told to take on (`SetFault`), if any.
    private let misbehaviour = Mutex<Misbehaviour?>(nil)

    public init(proxyId: Int, store: ShardedNoteStore, stats: StatsCollector = StatsCollector()) {
        self.proxyId = proxyId
        self.store = store
        self.stats = stats
        stats.registerShards(shardNames)
    }

    /// The data dir's shards as the last store call saw them (a growth adds some while the
    /// proxy runs); no I/O, so health checks stay cheap.
    private var shardNames: [String] {
        (0..<store.lastKnownShardCount).map(ShardRouter.shardName)
    }

    public var readyInfo: ReadyInfo {
        ReadyInfo(ready: true, proxyId: proxyId, pid: Int(getpid()), shards: shardNames, startedAt: startedAt)
    }

    /// What a call needs: an answer at once, or a turn at the store.
    public enum Dispatch: Sendable {
        /// Needs neither the lock nor the store (`Ready`, `ExportShardStats`, an unknown method,
        /// bad params), so the server answers it on the thread that read the request.
        case answered(RPCOutcome)
        case store(NoteStoreCall)
    }

    /// Answers one call: the encoded result, or the error to send.
    public func handle(_ request: RPCRequest, deadline: Date? = nil) async -> RPCOutcome {
        switch dispatch(request) {
        case .answered(let outcome): outcome
        case .store(let call): await run(call, deadline: deadline)
        }
    }

    /// Reads the call's method and params; answers it when that needs nothing more.
    public func dispatch(_ request: RPCRequest) -> Dispatch {
        guard let method = RPCMethod(name: request.method) else { return .answered(.failure(.methodNotFound(request.method))) }
        do {
            switch method {
            case .ready: return .answered(.success(readyInfo.json))
            case .exportShardStats: return .answered(try encode(stats.collectDataStoreStats()))
            case .setFault: return .answered(setFault(try RPCParams(values: request.params).optionalName("fault", of: Misbehaviour.self)))
            case .store(let operation): return .store(try NoteStoreCall(operation, params: RPCParams(values: request.params)))
            }
        } catch {
            return .answered(Self.outcome(of: error))
        }
    }

    /// Runs a store call under the lock. Only the call itself holds it; reading params and
    /// writing the answer happen outside. A call whose `deadline` has passed by the time it
    /// holds the lock is refused before it touches the store; inside the store, no shard lock
    /// wait outlives it and it is checked again once the shard locks are held.
    public func run(_ call: NoteStoreCall, deadline: Date?) async -> RPCOutcome {
        let fault = misbehaviour.withLock { $0 }
        switch fault?.before() {
        case .refuse: return .failure(Misbehaviour.refusal(proxyId: proxyId))
        case .wait(let delay): try? await Task.sleep(for: delay)
        case .run, nil: break
        }
        do {
            let answer = try await lock.withLock {
                if let deadline, Date() >= deadline { throw StoreError.deadlinePassed(deadline) }
                return try await store.perform(call, deadline: deadline) { shard in count(call, on: shard) }
            }
            return .success((fault?.answer(answer, proxyId: proxyId) ?? answer).json)
        } catch {
            return Self.outcome(of: error)
        }
    }

    private static func outcome(of error: any Error) -> RPCOutcome {
        switch error {
        case let error as RPCError: .failure(error)
        case let error as StoreError: .failure(error.rpcError)
        default: .failure(.internalError("\(error)"))
        }
    }

    /// Takes on `fault` (nil clears it); answers the fault it now has.
    private func setFault(_ fault: Misbehaviour?) -> RPCOutcome {
        misbehaviour.withLock { $0 = fault }
        var writer = JSONWriter()
        writer.raw(#"{"fault":"#)
        if let fault { writer.string(fault.rawValue) } else { writer.raw("null") }
        writer.raw("}")
        return .success(writer.data)
    }

    /// Counts the call against the shard that served it.
    private func count(_ call: NoteStoreCall, on shard: Int) {
        guard let operation = call.operation.dataStoreOperation else { return }
        stats.recordDataStoreAccess(operation, shard: ShardRouter.shardName(shard))
    }

    /// For `ExportShardStats`; everything else is written by hand.
    private func encode(_ value: some Encodable) throws -> RPCOutcome {
        .success(try JSONCoding.encoder().encode(value))
    }
}
