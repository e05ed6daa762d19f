import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Traffic that checks itself: accounts created over the REST API, one task per account
/// sending a random operation on a steady schedule, every read and list judged by
/// `LoadModel`. Its counts are the proof that a rollout lost nothing.
final class LoadGenerator: Service, Sendable {
    struct Configuration: Sendable {
        var accounts: Int
        var requestsPerMinute: Int
    }

    private let configuration: Configuration
    private let baseURL: @Sendable () async -> String
    private let counters = LoadCounters()
    private let enabled = Atomic<Bool>(true)
    private let started = Atomic<Bool>(false)
    /// Account loops between deciding to send and having recorded the answer; with
    /// `pausedTicks`, how a caller knows that a pause has taken hold (tests wait on them).
    private let busyLoops = Atomic<Int>(0)
    private let pausedTicks = Atomic<Int>(0)
    private let logger: Logger

    /// - Parameter baseURL: where the REST API listens, once it does.
    init(configuration: Configuration, baseURL: @escaping @Sendable () async -> String, logger: Logger) {
        self.configuration = configuration
        self.baseURL = baseURL
        self.logger = logger
    }

    var isEnabled: Bool { enabled.load(ordering: .sequentiallyConsistent) }

    /// True once no account loop is sending, and `ticks` scheduled requests have been skipped
    /// since `pausedTicksSoFar`: after `setEnabled(false)`, nothing more will be counted.
    func pauseHasTakenHold(skippedSince pausedTicksSoFar: Int, ticks: Int) -> Bool {
        busyLoops.load(ordering: .sequentiallyConsistent) == 0
            && pausedTicks.load(ordering: .sequentiallyConsistent) >= pausedTicksSoFar + ticks
    }

    var skippedTicks: Int { pausedTicks.load(ordering: .sequentiallyConsistent) }

    /// Pauses or resumes traffic (the dashboard's `g`).
    func setEnabled(_ on: Bool) {
        enabled.store(on, ordering: .sequentiallyConsistent)
        logger.info(on ? "load generator resumed" : "load generator paused")
    }

    func snapshot() -> LoadStats {
        counters.snapshot(running: started.load(ordering: .relaxed) && isEnabled)
    }

    /// Seconds between two requests of one account.
    var interval: Duration {
        .milliseconds(Int64(60_000 * configuration.accounts / max(1, configuration.requestsPerMinute)))
    }

    func run() async throws {
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await cancelWhenGracefulShutdown {
                let client = NotelyHTTPClient(baseURL: await self.baseURL(), http: http)
                let models = try await self.prepareAccounts(client)
                self.counters.setAccounts(models.count)
                self.started.store(true, ordering: .relaxed)
                self.logger.info("load generator running", metadata: [
                    "accounts": "\(models.count)", "rpm": "\(self.configuration.requestsPerMinute)"])
                await withTaskGroup(of: Void.self) { group in
                    for model in models {
                        group.addTask { await self.drive(model, client) }
                    }
                }
            }
        } catch is CancellationError {
        } catch {
            // Leaving early would shut the whole service down: wait for the real shutdown.
            logger.error("load generator cannot run", metadata: ["error": "\(error)"])
            try? await gracefulShutdown()
        }
        started.store(false, ordering: .relaxed)
        try? await http.shutdown()
        logger.info("load generator stopped")
    }

    /// Reuses accounts named `load-1 … load-N` (seeding their notes from a list) and creates
    /// the missing ones, so restarts on a data dir do not pile up accounts.
    private func prepareAccounts(_ client: NotelyHTTPClient) async throws -> [LoadModel] {
        let (status, body) = try await client.send(.GET, "/accounts")
        guard status == 200 else { throw NotelyHTTPClient.Failure(description: "GET /accounts answered \(status)") }
        let existing = try client.decode([Account].self, body)
        var models: [LoadModel] = []
        for index in 1...configuration.accounts {
            let name = "load-\(index)"
            if let account = existing.first(where: { $0.name == name }) {
                let (status, body) = try await client.send(.GET, "/accounts/\(account.id.uuidText)/notes")
                guard status == 200 else { throw NotelyHTTPClient.Failure(description: "listing \(name) answered \(status)") }
                let notes = try client.decode([Note].self, body)
                models.append(LoadModel(accountId: account.id, existing: Dictionary(uniqueKeysWithValues: notes.map { ($0.id, $0.content) })))
            } else {
                let (status, body) = try await client.send(.POST, "/accounts", json: ["name": name])
                guard status == 201 else { throw NotelyHTTPClient.Failure(description: "creating \(name) answered \(status)") }
                models.append(LoadModel(accountId: try client.decode(Account.self, body).id))
            }
        }
        return models
    }

    /// One account's loop: an operation every `interval`, each answer judged.
    private func drive(_ initial: LoadModel, _ client: NotelyHTTPClient) async {
        var model = initial
        var random = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        // Spread the accounts over one interval so their requests do not arrive in bursts.
        var next = clock.now + interval * Double.random(in: 0..<1, using: &random)
        while !Task.isCancelled {
            do { try await clock.sleep(until: next) } catch { return }
            next = max(next + interval, clock.now)
            // Counted busy before the check, so a pause observed with no loop busy holds.
            busyLoops.add(1, ordering: .sequentiallyConsistent)
            defer { busyLoops.subtract(1, ordering: .sequentiallyConsistent) }
            guard isEnabled else {
                pausedTicks.add(1, ordering: .sequentiallyConsistent)
                continue
            }
            let operation = model.nextOperation(using: &random)
            let outcome: LoadModel.Outcome
            var failure: String?
            do {
                (outcome, failure) = try await perform(operation, model.accountId, client)
            } catch {
                return   // cancelled: a stopped generator is not a failing one
            }
            var miss: String?
            do { try model.apply(operation, outcome) } catch { miss = error.description }
            counters.recordRequest(failure: failure, miss: miss)
            if let failure { logger.warning("load request failed", metadata: ["error": "\(failure)"]) }
            if let miss { logger.error("consistency miss", metadata: ["detail": "\(miss)"]) }
        }
    }

    /// Sends one operation and turns the answer into an outcome (and a failure message).
    private func perform(_ operation: LoadModel.Operation, _ account: UUID, _ client: NotelyHTTPClient) async throws(CancellationError)
        -> (LoadModel.Outcome, String?) {
        let notes = "/accounts/\(account.uuidText)/notes"
        do {
            switch operation {
            case .create(let content):
                let (status, body) = try await client.send(.POST, notes, json: ["content": content])
                guard status == 201 else { return (.failed, "create answered \(status)") }
                let note = try client.decode(Note.self, body)
                return (.created(noteId: note.id, content: note.content), nil)
            case .update(let id, let content):
                let (status, _) = try await client.send(.PUT, "\(notes)/\(id.uuidText)", json: ["content": content])
                return status == 200 ? (.updated, nil) : (.failed, "update answered \(status)")
            case .delete(let id):
                let (status, _) = try await client.send(.DELETE, "\(notes)/\(id.uuidText)")
                return status == 204 ? (.deleted, nil) : (.failed, "delete answered \(status)")
            case .read(let id):
                let (status, body) = try await client.send(.GET, "\(notes)/\(id.uuidText)")
                if status == 404 { return (.read(content: nil), nil) }
                guard status == 200 else { return (.failed, "read answered \(status)") }
                return (.read(content: try client.decode(Note.self, body).content), nil)
            case .list:
                let (status, body) = try await client.send(.GET, notes)
                guard status == 200 else { return (.failed, "list answered \(status)") }
                let listed = try client.decode([Note].self, body)
                return (.listed(Dictionary(listed.map { ($0.id, $0.content) }, uniquingKeysWith: { first, _ in first })), nil)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return (.failed, "\(error)")
        }
    }
}
