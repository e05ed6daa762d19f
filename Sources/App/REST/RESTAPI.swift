import Foundation
import Hummingbird
import Logging
import Proxy
import Store
import Telemetry

/// The REST API of the original Notely, plus `/deploy` and `/stats`. Accounts come from the
/// main process's own store; notes go through whatever `NoteStore` it is given — the
/// deployment controller in the running service.
struct RESTAPI: Sendable {
    let accounts: any AccountStore
    let notes: any NoteStore
    let controller: DeploymentController?
    /// Where accounts live and what moves (live re-sharding).
    let placement: PlacementWorker
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
            .init(.get, "/accounts") { _, _ in try JSONBody.response(try await accounts.listAccounts().map(view)) },
            .init(.post, "/accounts") { request, _ in try await createAccount(request) },
            .init(.get, "/accounts/{id}") { _, context in try JSONBody.response(view(try await account(context))) },
            .init(.post, "/accounts/{id}/move") { request, context in try await moveAccount(request, context) },
            .init(.put, "/accounts/{id}") { request, context in try await updateAccount(request, context) },
            .init(.get, "/accounts/{id}/notes") { request, context in try await listNotes(request, context) },
            .init(.post, "/accounts/{id}/notes") { request, context in try await createNote(request, context) },
            .init(.get, "/accounts/{id}/notes/{noteId}") { _, context in
                let (account, noteId) = (try await account(context), try uuid(context, "noteId", "note"))
                return try JSONBody.response(try await note(account, noteId))
            },
            .init(.put, "/accounts/{id}/notes/{noteId}") { request, context in try await updateNote(request, context) },
            .init(.delete, "/accounts/{id}/notes/{noteId}") { _, context in
                let (account, noteId) = (try await account(context), try uuid(context, "noteId", "note"))
                try await notes.deleteNote(accountId: account.id, note: try await note(account, noteId))
                return Response(status: .noContent)
            },
            .init(.post, "/deploy") { _, _ in try deploy() },
            .init(.post, "/chaos") { request, _ in try await chaos(request) },
            .init(.post, "/shards") { request, _ in try await growShards(request) },
            .init(.get, "/stats") { _, _ in try JSONBody.response(snapshot()) },
        ])
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let routes = routes
        router.add(middleware: APIMiddleware(stats: stats, routes: routes.methodsByPattern))
        router.add(middleware: LocalClientsOnly(port: listeningPort))
        for route in routes.routes { router.on(RouterPath(route.pattern), method: route.method, use: route.handler) }
        return router
    }

    // MARK: Handlers

    private func healthz() async throws -> Response {
        do {
            try await accounts.healthCheck()
            try await notes.healthCheck()
            return try JSONBody.response(["status": "ok"])
        } catch {
            return JSONBody.errorResponse(APIError(status: .serviceUnavailable, message: "unhealthy: \(APIError.from(error).message)"))
        }
    }

    private func createAccount(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(AccountBody.self, from: request)
        let account = Account(name: body.name.trimmingCharacters(in: .whitespacesAndNewlines))
        try await accounts.createAccount(account)
        return try JSONBody.response(view(account), status: .created)
    }

    private func updateAccount(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        var account = try await account(context)
        account.name = try await JSONBody.decode(AccountBody.self, from: request).name.trimmingCharacters(in: .whitespacesAndNewlines)
        try await accounts.updateAccount(account)
        return try JSONBody.response(view(account))
    }

    /// All notes, or a page: `?limit=N` (1…1000) `&after=ID` (the last note of the page before).
    private func listNotes(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let account = try await account(context)
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
        return try JSONBody.response(try await notes.listNotes(accountId: account.id, limit: limit, after: after))
    }

    private func createNote(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let account = try await account(context)
        let body = try await JSONBody.decode(NoteBody.self, from: request)
        let now = Note.now()
        let note = Note(creator: account.id, createdAt: now, updatedAt: now, content: body.content)
        try await notes.createNote(accountId: account.id, note: note)
        return try JSONBody.response(note, status: .created)
    }

    private func updateNote(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (account, noteId) = (try await account(context), try uuid(context, "noteId", "note"))
        let body = try await JSONBody.decode(NoteBody.self, from: request)
        let note = try await note(account, noteId).edited(content: body.content)
        try await notes.updateNote(accountId: account.id, note: note)
        return try JSONBody.response(note)
    }

    private func deploy() throws -> Response {
        guard let controller else { throw APIError(status: .serviceUnavailable, message: "no deployment controller") }
        let target = try controller.startDeploy()
        return try JSONBody.response(DeployAccepted(targetVersion: target, status: controller.status().rawValue), status: .accepted)
    }

    /// `{"fault": "kill" | "hang"}`: a fault in the serving proxy, on purpose (202).
    private func chaos(_ request: Request) async throws -> Response {
        guard let controller else { throw APIError(status: .serviceUnavailable, message: "no deployment controller") }
        let body = try await JSONBody.decode(ChaosBody.self, from: request)
        guard let fault = Fault(rawValue: body.fault) else {
            throw APIError.badRequest("fault must be one of \(Fault.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(body.fault)\"")
        }
        let message = try controller.inject(fault)
        return try JSONBody.response(["fault": fault.rawValue, "message": message], status: .accepted)
    }

    // MARK: Lookups

    private func uuid(_ context: BasicRequestContext, _ parameter: String, _ what: String) throws -> UUID {
        let text = context.parameters.get(parameter) ?? ""
        guard let id = UUIDText.parse(text) else { throw APIError.badRequest("invalid \(what) id: \(text)") }
        return id
    }

    private func account(_ context: BasicRequestContext) async throws -> Account {
        let id = try uuid(context, "id", "account")
        guard let account = try await accounts.getAccount(id: id) else { throw StoreError.accountNotFound(id) }
        return account
    }

    private func note(_ account: Account, _ noteId: UUID) async throws -> Note {
        guard let note = try await notes.getNote(accountId: account.id, noteId: noteId) else { throw StoreError.noteNotFound(noteId) }
        return note
    }
}

private struct AccountBody: Decodable { let name: String }
private struct NoteBody: Decodable { let content: String }
private struct ChaosBody: Decodable { let fault: String }
private struct DeployAccepted: Encodable {
    let targetVersion: Int
    let status: String
}
