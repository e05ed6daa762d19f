import Foundation
import Hummingbird
import Telemetry

/// Counts every request by method, route pattern and final status, with its latency, and
/// turns any error a handler throws into a `{"error": "..."}` answer.
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let stats: StatsCollector

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = JSONBody.errorResponse(APIError.from(error))
        }
        let route = context.endpointPath ?? request.uri.path
        stats.recordRoute(RouteKey(method: request.method.rawValue, route: route, status: Int(response.status.code)), microseconds: (ContinuousClock.now - started).microseconds)
        return response
    }
}
