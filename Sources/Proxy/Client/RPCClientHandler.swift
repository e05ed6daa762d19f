import NIOCore
import NIOHTTP1

/// One request written whole, with the promise its answer completes.
struct RPCExchange {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var answer: EventLoopPromise<RPCHTTPAnswer>
}

/// An HTTP answer as the proxy protocol needs it: the status, the body, whether the
/// connection may carry another request, and the round trip.
struct RPCHTTPAnswer: Sendable {
    var status: HTTPResponseStatus
    var body: ByteBuffer
    var keepAlive: Bool
    /// From the request's head written to the answer's end read, both on the event loop: what
    /// the proxy took, without the time this process then takes to resume the caller.
    var roundTrip: TimeAmount
}

/// The connection closed before the whole answer came.
struct ConnectionClosedEarly: Error, CustomStringConvertible {
    var description: String { "the connection closed before the answer was complete" }
}

/// The caller's end of one pooled connection, with at most one request in flight: writes an
/// `RPCExchange` as its HTTP/1.1 parts and completes its promise with the answer, or with the
/// error that ended the connection.
final class RPCClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = RPCExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<RPCHTTPAnswer>?
    private var sentAt = NIODeadline.now()
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        precondition(pending == nil, "one request in flight per connection")
        pending = exchange.answer
        sentAt = .now()
        // The promise is the head's: if writing the head fails on a closed channel, no byte
        // of the request left this process.
        context.write(wrapOutboundOut(.head(exchange.head)), promise: promise)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard let head, let pending else { return }
            let answer = RPCHTTPAnswer(status: head.status, body: body ?? ByteBuffer(), keepAlive: head.isKeepAlive,
                                       roundTrip: .now() - sentAt)
            (self.head, self.body, self.pending) = (nil, nil, nil)
            pending.succeed(answer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ConnectionClosedEarly())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let pending = pending
        (head, body, self.pending) = (nil, nil, nil)
        pending?.fail(error)
    }
}
