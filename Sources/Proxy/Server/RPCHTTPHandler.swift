import Foundation
import NIOCore
import NIOHTTP1
import Store

/// One connection's `POST /rpc` requests, answered straight from NIO's HTTP/1.1 parts: the
/// bearer token, the media type and the body limit are checked as the parts arrive, the body
/// is parsed out of the buffer it was read into, and a call that needs no store (`Ready`, a
/// bad request) is answered on the event loop that read it. Only a store call leaves the loop,
/// for its turn at the proxy's lock, and its answer is written back from there.
///
/// Hand-written on SwiftNIO rather than served through Hummingbird's router: profiling a
/// `Ready` call showed the router, its middleware chain and the hand-off of every request to a
/// task costing more than the call itself (BENCHMARKS.md, round 5). NIO's own
/// `HTTPServerPipelineHandler` (set up in front of this) keeps pipelined requests in order and
/// closes idle connections when the server shuts down.
final class RPCHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case reading(HTTPRequestHead, body: ByteBuffer)
        /// The request, which has no body, is refused; answered at its end.
        case refusing(HTTPRequestHead, HTTPResponseStatus, RPCError)
        /// A request with a body still to come was refused and answered at once; the
        /// connection closes, and whatever else arrives is dropped.
        case closing
    }

    private let proxy: DataProxy
    private let storeExecutor: StoreExecutor
    private let expectedAuthorization: [UInt8]?
    private var state = State.idle

    init(proxy: DataProxy, token: String?, storeExecutor: StoreExecutor) {
        self.proxy = proxy
        self.storeExecutor = storeExecutor
        expectedAuthorization = token.map { Array("Bearer \($0)".utf8) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .closing = state { return }   // a refused body's rest, or anything after it
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), _):
            if let (status, error) = refusal(of: head) {
                if head.hasBodyToCome {
                    refuseAndClose(status, error, context: context)
                } else {
                    state = .refusing(head, status, error)
                }
            } else {
                state = .reading(head, body: context.channel.allocator.buffer(capacity: head.contentLength ?? 256))
                // curl asks before it sends a body over 1 KiB, and waits a second for the answer.
                if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
                }
            }
        case (.body(var part), .reading(let head, var body)):
            state = .idle   // lets `body` grow in place
            if body.readableBytes + part.readableBytes > StoreLimits.maxRequestBodyBytes {
                refuseAndClose(.payloadTooLarge, .invalidRequest(Self.tooLargeMessage), context: context)
            } else {
                body.writeBuffer(&part)
                state = .reading(head, body: body)
            }
        case (.body, _):
            break
        case (.end, .reading(let head, let body)):
            state = .idle
            answer(head, body: body, context: context)
        case (.end, .refusing(let head, let status, let error)):
            state = .idle
            respond(status, RPCCodec.frame(id: .null, outcome: .failure(error)), keepAlive: head.isKeepAlive, context: context)
        case (.end, .idle), (.end, .closing):
            break
        }
    }

    /// Answers a refused request before its body is read — a client that declared a large body
    /// and waits for an answer before sending it (`Expect: 100-continue`) gets one — and then
    /// closes the connection, since the rest of the body can't be told from a next request.
    private func refuseAndClose(_ status: HTTPResponseStatus, _ error: RPCError, context: ChannelHandlerContext) {
        state = .closing
        respond(status, RPCCodec.frame(id: .null, outcome: .failure(error)), keepAlive: false, lingering: true, context: context)
    }

    /// How long a refused request's body is still read and dropped after the answer.
    static let lingerTime: TimeAmount = .seconds(2)

    /// A request that is not HTTP has had its 400 (NIO's `HTTPServerProtocolErrorHandler`);
    /// the connection can't be read on from there, so it closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Why a request is refused before its body is read, in the order the checks always ran:
    /// the route, the token, the media type, the declared length.
    private func refusal(of head: HTTPRequestHead) -> (HTTPResponseStatus, RPCError)? {
        let path = head.uri.prefix { $0 != "?" }
        guard path == "/rpc" else {
            return (.notFound, .invalidRequest("no such path: \(head.method) \(path); JSON-RPC is served at POST /rpc"))
        }
        guard head.method == .POST else { return (.methodNotAllowed, .invalidRequest("\(head.method) is not allowed on /rpc; use POST")) }
        if let expectedAuthorization, !Self.constantTimeEquals(head.headers.first(name: "authorization"), expectedAuthorization) {
            return (.unauthorized, RPCError(code: -32000, message: "Unauthorized: missing or wrong bearer token"))
        }
        if let type = head.headers.first(name: "content-type"), !MediaType.isJSON(type) {
            return (.unsupportedMediaType, .invalidRequest("Content-Type must be application/json, got \(type)"))
        }
        if let length = head.contentLength, length > StoreLimits.maxRequestBodyBytes {
            return (.payloadTooLarge, .invalidRequest(Self.tooLargeMessage))
        }
        return nil
    }

    private func answer(_ head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let (calls, batch) = body.withUnsafeReadableBytes { RPCCodec.parse($0.assumingMemoryBound(to: UInt8.self)) }
        let keepAlive = head.isKeepAlive
        let deadline = CallDeadline.parse(head.headers.first(name: CallDeadline.header))
        let proxy = proxy
        if !batch, calls.count == 1 {
            switch calls[0] {
            case .invalid(let error, let id):
                return respond(.ok, RPCCodec.frame(id: id, outcome: .failure(error)), keepAlive: keepAlive, context: context)
            case .request(let request):
                switch proxy.dispatch(request) {
                case .answered(let outcome):
                    return respond(.ok, request.id.map { RPCCodec.frame(id: $0, outcome: outcome) }, keepAlive: keepAlive, context: context)
                case .store(let call):
                    return respondLater(keepAlive: keepAlive, context: context) {
                        let outcome = await proxy.run(call, deadline: deadline)
                        return request.id.map { RPCCodec.frame(id: $0, outcome: outcome) }
                    }
                }
            }
        }
        respondLater(keepAlive: keepAlive, context: context) {
            await RPCCodec.respond(to: calls, batch: batch) { await proxy.handle($0, deadline: deadline) }
        }
    }

    /// Runs `produce` as a task and writes what it returns back on this connection's loop.
    private func respondLater(keepAlive: Bool, context: ChannelHandlerContext, _ produce: @escaping @Sendable () async -> Data?) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        Task(executorPreference: storeExecutor) {
            let body = await produce()
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                handler.respond(.ok, body, keepAlive: keepAlive, context: context)
            }
        }
    }

    /// Writes the answer: 204 when there is none (only notifications).
    /// With `lingering`, the connection closes its sending side only, and reads and drops
    /// what still comes for a while: closing a socket with unread bytes sends a reset, which
    /// can destroy the answer before the client reads it.
    private func respond(_ status: HTTPResponseStatus, _ body: Data?, keepAlive: Bool, lingering: Bool = false,
                         context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        let status = status == .ok && body == nil ? .noContent : status
        if let body {
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.count))
        } else if status != .noContent {
            headers.add(name: "content-length", value: "0")
        }
        if status == .methodNotAllowed { headers.add(name: "allow", value: "POST") }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if let body {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if !keepAlive {
            written.futureResult.whenComplete { [channel = context.channel] _ in
                guard lingering else { return channel.close(promise: nil) }
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
            }
        }
    }

    /// "the body is larger than 1048576 bytes"
    static var tooLargeMessage: String { "the body is larger than \(StoreLimits.maxRequestBodyBytes) bytes" }

    private static func constantTimeEquals(_ given: String?, _ expected: [UInt8]) -> Bool {
        guard var given, given.utf8.count == expected.count else { return false }
        return given.withUTF8 { given in
            var difference: UInt8 = 0
            for index in expected.indices { difference |= given[index] ^ expected[index] }
            return difference == 0
        }
    }
}

extension HTTPRequestHead {
    var contentLength: Int? { headers.first(name: "content-length").flatMap { Int($0) } }

    /// A body follows the head: a declared length over zero, or a chunked one.
    var hasBodyToCome: Bool { contentLength.map { $0 > 0 } ?? headers.contains(name: "transfer-encoding") }
}
