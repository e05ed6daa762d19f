import Foundation
import Hummingbird
import Logging
import Proxy
import Store
import Telemetry

/// The REST API of the original Notely, plus `/deploy`, `/chaos`, re-sharding and `/stats`:
/// thin routes over `NotelyActions` — each reads its parameters and body, calls one action,
/// and writes the answer; an `ActionError` becomes a status (`APIError`).
struct RESTAPI: Sendable {
    let actions: NotelyActions
    let stats: StatsCollector
    let snapshot: @Sendable () -> ServiceSnapshot
    /// The port the server listens on, once it does: the only `Host` it answers to.
    let listeningPort: @Sendable () -> Int?

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    /// Every route, once: the router is built from it, and it tells a wrong method (405, with
    /// `Allow`) from an unknown path (404).
    var routes: RouteTable<Handler> {
        RouteTable([
            .init(.get, "/healthz") { _, _ in try await healthz() },
            .init(.get, "/accounts") { _, _ in try JSONBody.response(try await actions.listAccounts().map(view)) },
            .init(.post, "/accounts") { request, _ in
                let body = try await JSONBody.decode(AccountBody.self, from: request)
                return try JSONBody.response(view(try await actions.createAccount(name: body.name)), status: .created)
            },
            .init(.get, "/accounts/{id}") { _, context in try JSONBody.response(view(try await actions.account(try id(context)))) },
            .init(.post, "/accounts/{id}/move") { request, context in try await moveAccount(request, context) },
            .init(.put, "/accounts/{id}") { request, context in
                let id = try id(context)
                let body = try await JSONBody.decode(AccountBody.self, from: request)
                return try JSONBody.response(view(try await actions.renameAccount(id, to: body.name)))
            },
            .init(.get, "/accounts/{id}/notes") { request, context in try await listNotes(request, context) },
            .init(.post, "/accounts/{id}/notes") { request, context in
                let id = try id(context)
                let body = try await JSONBody.decode(NoteBody.self, from: request)
                return try JSONBody.response(try await actions.createNote(in: id, content: body.content), status: .created)
            },
            .init(.get, "/accounts/{id}/notes/{noteId}") { _, context in
                let (id, noteId) = (try id(context), try noteId(context))
                return try JSONBody.response(try await actions.note(noteId, of: id))
            },
            .init(.put, "/accounts/{id}/notes/{noteId}") { request, context in
                let (id, noteId) = (try id(context), try noteId(context))
                let body = try await JSONBody.decode(NoteBody.self, from: request)
                return try JSONBody.response(try await actions.editNote(noteId, of: id, content: body.content))
            },
            .init(.delete, "/accounts/{id}/notes/{noteId}") { _, context in
                try await actions.deleteNote(try noteId(context), of: try id(context))
                return Response(status: .noContent)
            },
            .init(.post, "/deploy") { request, _ in try await deploy(request) },
            .init(.post, "/chaos") { request, _ in try await chaos(request) },
            .init(.post, "/shards") { request, _ in try await growShards(request) },
            .init(.post, "/shards/{shard}/drain") { _, context in try await drainShard(context) },
            .init(.post, "/migrate") { request, _ in try await migrate(request) },
            .init(.get, "/stats") { _, _ in try JSONBody.response(snapshot()) },
            .init(.get, "/metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: MetricsView.contentType],
                         body: .init(byteBuffer: ByteBuffer(string: MetricsView.render(snapshot, stats: stats))))
            },
        ])
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let routes = routes
        router.add(middleware: APIMiddleware(stats: stats, routes: routes.methodsByPattern,
                                             currentVersion: { [controller = actions.controller] in controller?.current()?.id }))
        router.add(middleware: LocalClientsOnly(port: listeningPort))
        for route in routes.routes { router.on(RouterPath(route.pattern), method: route.method, use: route.handler) }
        return router
    }

    // MARK: Handlers

    private func healthz() async throws -> Response {
        do {
            try await actions.healthCheck()
            return try JSONBody.response(["status": "ok"])
        } catch {
            return JSONBody.errorResponse(APIError(status: .serviceUnavailable, message: "unhealthy: \(ActionError(error).message)"))
        }
    }

    /// All notes, or a page: `?limit=N` (1…1000) `&after=ID` (the last note of the page before).
    private func listNotes(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try id(context)
        let query = request.uri.queryParameters
        var limit: Int?
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError.badRequest("limit must be a whole number from 1 to 1000, got \"\(text)\"")
            }
            limit = value
        }
        var after: UUID?
        if let text = query["after"].map(String.init) {
            guard let id = UUIDText.parse(text) else { throw APIError.badRequest("after must be a note id, got \"\(text)\"") }
            after = id
        }
        return try JSONBody.response(try await actions.notes(of: id, limit: limit, after: after))
    }

    /// An empty body, or `{"steps": [10, 50]}` for a progressive rollout of this deploy.
    private func deploy(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decodeIfPresent(DeployBody.self, from: request)
        let target = try actions.deploy(steps: body?.steps)
        return try JSONBody.response(DeployAccepted(targetVersion: target, status: try actions.deployments().status().rawValue),
                                     status: .accepted)
    }

    /// `{"fault": "kill" | "hang" | "slow" | "errors" | "wrong"}`: a fault in the newest proxy,
    /// on purpose (202).
    private func chaos(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(ChaosBody.self, from: request)
        guard let fault = Fault(rawValue: body.fault) else {
            throw APIError.badRequest("fault must be one of \(Fault.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(body.fault)\"")
        }
        let message = try await actions.inject(fault)
        return try JSONBody.response(["fault": fault.rawValue, "message": message], status: .accepted)
    }

    // MARK: Parameters

    func id(_ context: BasicRequestContext) throws -> UUID { try uuid(context, "id", "account") }
    func noteId(_ context: BasicRequestContext) throws -> UUID { try uuid(context, "noteId", "note") }

    private func uuid(_ context: BasicRequestContext, _ parameter: String, _ what: String) throws -> UUID {
        let text = context.parameters.get(parameter) ?? ""
        guard let id = UUIDText.parse(text) else { throw APIError.badRequest("invalid \(what) id: \(text)") }
        return id
    }
}

private struct AccountBody: Decodable { let name: String }
private struct NoteBody: Decodable { let content: String }
private struct ChaosBody: Decodable { let fault: String }
private struct DeployBody: Decodable { let steps: [Int]? }
private struct DeployAccepted: Encodable {
    let targetVersion: Int
    let status: String
}
