import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Kept-alive HTTP/1.1 connections to one proxy, each carrying one request at a time: the
/// caller's request goes straight onto a channel and its answer straight back, with no
/// connection-pool state machine, request queue or body stream in between.
///
/// Hand-written on SwiftNIO instead of AsyncHTTPClient: profiling a `Ready` call showed
/// AsyncHTTPClient's general-purpose machinery (redirects, streaming bodies, its pool's state
/// machine, a task hand-off per part) costing more than the JSON-RPC it carried
/// (BENCHMARKS.md, round 5). The proxy protocol needs none of it.
///
/// Failures are sorted as the routing needs them: nothing to connect to, or a request that
/// never left (its channel had already closed), is `notSent`; anything after the request
/// was written is `transport` — the proxy may have it.
final class RPCConnectionPool: Sendable {
    private let host: String
    private let port: Int
    private let proxyId: Int
    private let state = Mutex(State())

    private struct State {
        var idle: [any Channel] = []
        var shutDown = false
    }

    /// Connections kept open between calls; more are opened while more calls are in flight,
    /// and closed when they come back to a full pool.
    static let maxIdle = 16
    /// On loopback a connection is made at once or refused; waiting longer finds no proxy.
    static let connectTimeout = TimeAmount.seconds(2)

    init(host: String, port: Int, proxyId: Int) {
        self.host = host
        self.port = port
        self.proxyId = proxyId
    }

    /// Sends one request on a free connection and returns the answer, or throws a
    /// `ProxyClientError` (or `CancellationError` when the calling task was cancelled).
    ///
    /// Everything about the request happens in one visit to the channel's event loop — the
    /// timer, the write, the callbacks — because each call into a loop from outside it wakes
    /// that loop's thread: `perf` showed those wake-ups as the largest cost left on this side.
    ///
    /// A kept-alive connection can close while it sits idle (the proxy closed it) and be handed
    /// out a moment before that shows: the request then never leaves. It goes once more, on a
    /// new connection — seen in CI as a call that waited out its deadline for the only proxy,
    /// which was serving.
    func exchange(_ head: HTTPRequestHead, body: ByteBuffer, timeout: TimeAmount) async throws -> RPCHTTPAnswer {
        do {
            return try await exchange(head, body: body, timeout: timeout, fresh: false)
        } catch is ClosedBeforeWritten {
            do {
                return try await exchange(head, body: body, timeout: timeout, fresh: true)
            } catch is ClosedBeforeWritten {
                throw ProxyClientError.notSent(proxyId: proxyId, reason: "the connection had closed before the request was written")
            }
        }
    }

    private func exchange(_ head: HTTPRequestHead, body: ByteBuffer, timeout: TimeAmount, fresh: Bool) async throws -> RPCHTTPAnswer {
        let channel = try await checkOut(fresh: fresh)
        let answer = channel.eventLoop.makePromise(of: RPCHTTPAnswer.self)
        do {
            let result = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    channel.eventLoop.execute {
                        let timer = channel.eventLoop.scheduleTask(in: timeout) {
                            answer.fail(TimedOut(after: timeout))
                            channel.close(promise: nil)
                        }
                        answer.futureResult.whenComplete { result in
                            timer.cancel()
                            continuation.resume(with: result)
                        }
                        let written = channel.eventLoop.makePromise(of: Void.self)
                        written.futureResult.whenFailure { error in answer.fail(NotWritten(cause: error)) }
                        channel.writeAndFlush(RPCExchange(head: head, body: body, answer: answer), promise: written)
                    }
                }
            } onCancel: {
                answer.fail(CancellationError())
                channel.close(promise: nil)
            }
            checkIn(channel, reusable: result.keepAlive)
            return result
        } catch {
            channel.close(promise: nil)
            throw classify(error)
        }
    }

    /// Connections open and waiting for a call.
    var idleConnections: Int { state.withLock { $0.idle.count } }

    /// Closes the idle connections, and each busy one once its answer is in.
    func shutdown() {
        let idle = state.withLock { state in
            state.shutDown = true
            defer { state.idle = [] }
            return state.idle
        }
        for channel in idle { channel.close(promise: nil) }
    }

    /// An idle connection, or a new one (always, when `fresh`).
    private func checkOut(fresh: Bool) async throws -> any Channel {
        while !fresh, let channel = state.withLock({ $0.shutDown ? nil : $0.idle.popLast() }) {
            if channel.isActive { return channel }
        }
        if state.withLock({ $0.shutDown }) { throw ProxyClientError.notSent(proxyId: proxyId, reason: "the client is shut down") }
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(Self.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(RPCClientHandler())
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            throw ProxyClientError.notSent(proxyId: proxyId, reason: "\(error)")
        }
    }

    private func checkIn(_ channel: any Channel, reusable: Bool) {
        let kept = reusable && state.withLock { state in
            guard !state.shutDown, state.idle.count < Self.maxIdle else { return false }
            state.idle.append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    private func classify(_ error: any Error) -> any Error {
        switch error {
        case is CancellationError: error
        case let error as NotWritten where error.cause as? ChannelError == .ioOnClosedChannel:
            ClosedBeforeWritten()
        case let error as NotWritten: ProxyClientError.transport(proxyId: proxyId, reason: "\(error.cause)")
        default: ProxyClientError.transport(proxyId: proxyId, reason: "\(error)")
        }
    }

    private struct TimedOut: Error, CustomStringConvertible {
        let after: TimeAmount
        var description: String { "no answer within \(after.nanoseconds / 1_000_000) ms" }
    }

    private struct NotWritten: Error {
        let cause: any Error
    }

    /// The request never left: its connection had closed.
    private struct ClosedBeforeWritten: Error {}
}
