import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Serves a `DataProxy` as `POST /rpc` on 127.0.0.1: bearer-token check, body size limit,
/// then the JSON-RPC codec. Runs until cancelled or gracefully shut down, letting requests in
/// flight finish first.
public struct DataProxyServer: Sendable {
    /// The environment variable a parent sets to a fresh random token for each child; the
    /// child then requires it as a bearer token on every request.
    public static let tokenVariable = "NOTELY_PROXY_TOKEN"

    public let proxy: DataProxy
    public let port: Int
    public let token: String?
    public let logger: Logger

    public init(proxy: DataProxy, port: Int, token: String?, logger: Logger) {
        self.proxy = proxy
        self.port = port
        self.token = token
        self.logger = logger
    }

    /// The Hummingbird application, ready to run as a service.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        let proxy = proxy
        router.add(middleware: BearerTokenMiddleware(token: token))
        router.post("/rpc") { request, _ -> Response in
            try await Self.serve(request, proxy: proxy)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "notely-proxy-\(proxy.proxyId)"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    static func serve(_ request: Request, proxy: DataProxy) async throws -> Response {
        if let type = request.headers[.contentType], !isJSON(type) {
            return errorResponse(.unsupportedMediaType, .invalidRequest("Content-Type must be application/json, got \(type)"))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await BoundedBody.collect(request)
        } catch is BoundedBody.TooLarge {
            return errorResponse(.contentTooLarge, .invalidRequest(BoundedBody.tooLargeMessage))
        }
        let deadline = CallDeadline.parse(request.headers.first { $0.name.canonicalName == CallDeadline.canonicalHeader }?.value)
        guard let answer = await RPCCodec.respond(to: Data(buffer: buffer), handle: { await proxy.handle($0, deadline: deadline) }) else {
            return Response(status: .noContent)
        }
        return jsonResponse(.ok, answer)
    }

    /// `application/json`, in any case, with or without parameters such as a charset; checked
    /// without allocating, since every request asks.
    static func isJSON(_ contentType: String) -> Bool {
        let expected = "application/json".utf8
        guard contentType.utf8.count >= expected.count else { return false }
        return zip(contentType.utf8, expected).allSatisfy { given, wanted in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(given) ? given + 32 == wanted : given == wanted
        }
    }

    static func errorResponse(_ status: HTTPResponse.Status, _ error: RPCError) -> Response {
        jsonResponse(status, RPCCodec.frame(id: .null, outcome: .failure(error)))
    }

    static func jsonResponse(_ status: HTTPResponse.Status, _ body: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Refuses any request without `Authorization: Bearer <token>` when a token is set, so only
/// the parent that launched a proxy can talk to it.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let expected = "Bearer \(token)"
        guard let given = request.headers[.authorization], constantTimeEquals(given, expected) else {
            return DataProxyServer.errorResponse(.unauthorized, RPCError(code: -32000, message: "Unauthorized: missing or wrong bearer token"))
        }
        return try await next(request, context)
    }

    private func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let (a, b) = (Array(lhs.utf8), Array(rhs.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
