import Hummingbird
import Proxy

/// Keeps web pages out: the REST API is for this machine's tools (curl, scripts, the load
/// generator), and a page the user has open in a browser must not reach it.
///
/// - A body must be `application/json` (415 otherwise). A page can send a "simple" cross-site
///   request with `text/plain` or a form without asking first; it can't send JSON that way.
/// - A request with an `Origin` other than this server's own is refused (403).
/// - A `Host` other than `127.0.0.1:PORT` or `localhost:PORT` is refused (403): a DNS name a
///   page's author controls, rebound to 127.0.0.1, can't be used to read the answers.
struct LocalClientsOnly<Context: RequestContext>: RouterMiddleware {
    let port: @Sendable () -> Int?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let own = port().map { ["127.0.0.1:\($0)", "localhost:\($0)"] } ?? []
        let host = request.head.authority
        guard let host, own.contains(host.lowercased()) else {
            throw APIError(status: .forbidden, message: "Host \(host ?? "(none)") is not this server; use http://127.0.0.1:\(port().map(String.init) ?? "PORT")")
        }
        if let origin = request.headers[.origin], !own.contains(where: { "http://\($0)" == origin.lowercased() }) {
            throw APIError(status: .forbidden, message: "requests from web pages (Origin \(origin)) are refused; the REST API is for local tools")
        }
        if Self.hasBody(request), !MediaType.isJSON(request.headers[.contentType] ?? "") {
            let given = request.headers[.contentType] ?? "none"
            throw APIError(status: .unsupportedMediaType,
                           message: "the body must be JSON with Content-Type: application/json (got \(given)); with curl use --json")
        }
        return try await next(request, context)
    }

    static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }
}
