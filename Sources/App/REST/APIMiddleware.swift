import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Proxy
import Telemetry

/// Counts every request by method, route pattern and final status, with its latency, and
/// turns whatever a handler or the router throws into a `{"error": "..."}` answer a person can
/// act on: an unknown path is a 404, a known path with another method a 405 with `Allow`.
/// A 500 is left only for a real bug, and logged with what caused it. Every answer says which
/// proxy version answered it (`Notely-Version`): the one that answered its last store call, or
/// the current one for a request that made none.
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let stats: StatsCollector
    let routes: AllowedMethods
    /// The version serving now, for requests that reach no proxy.
    let currentVersion: @Sendable () -> Int?
    let logger = Logger(label: "rest")

    static var versionHeader: HTTPField.Name { HTTPField.Name("Notely-Version")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let answering = AnsweringVersion()
        var response: Response
        do {
            response = try await AnsweringVersion.$current.withValue(answering) { try await next(request, context) }
        } catch {
            response = answer(error, to: request)
        }
        if let version = answering.value ?? currentVersion() { response.headers[Self.versionHeader] = String(version) }
        let route = context.endpointPath ?? "(no route)"
        stats.recordRoute(RouteKey(method: request.method.rawValue, route: route, status: Int(response.status.code)), microseconds: (ContinuousClock.now - started).microseconds)
        return response
    }

    private func answer(_ error: any Error, to request: Request) -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        if let error = error as? HTTPError {
            guard error.status == .notFound else {
                return JSONBody.errorResponse(APIError(status: error.status, message: error.body ?? error.status.reasonPhrase))
            }
            guard let allowed = routes.methods(for: path) else {
                return JSONBody.errorResponse(.notFound("no such route: \(method) \(path) (see docs/REST.md)"))
            }
            let names = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            var response = JSONBody.errorResponse(APIError(status: .methodNotAllowed, message: "\(method) is not allowed on \(path); use \(names)"))
            response.headers[.allow] = names
            return response
        }
        let apiError = APIError.from(error)
        if apiError.status == .internalServerError {
            logger.error("internal error answering \(method) \(path)", metadata: ["error": "\(String(reflecting: error))"])
        }
        return JSONBody.errorResponse(apiError)
    }
}
