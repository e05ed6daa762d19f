import Foundation
import Logging
import Proxy
import Store
import Synchronization

/// The dashboard's I/O shell: holds the state, applies actions through the pure
/// `DashboardUpdate`, and carries out the effects it asks for against the running service.
/// Safe from any thread; the UI thread only reads the state to draw it.
final class DashboardRuntime: Sendable {
    private let service: NotelyService
    private let state = Mutex(DashboardState())
    private let dirty = Atomic<Bool>(true)
    private let quitRequested = Atomic<Bool>(false)
    /// Whether a load of accounts and notes runs, and whether another was asked for meanwhile.
    private let loads = Mutex((running: false, again: false))
    private let logger = Logger(label: "dashboard")

    init(service: NotelyService) {
        self.service = service
    }

    var current: DashboardState { state.withLock { $0 } }
    var wantsQuit: Bool { quitRequested.load(ordering: .relaxed) }

    /// True once since the last call when something changed that should be drawn.
    func takeDirty() -> Bool { dirty.exchange(false, ordering: .relaxed) }

    func send(_ action: DashboardAction) {
        let effects = state.withLock { DashboardUpdate.update(&$0, action) }
        dirty.store(true, ordering: .relaxed)
        for effect in effects { perform(effect) }
    }

    /// At most this many notes of the selected account are asked for (more than any screen
    /// shows), and note counts for at most this many accounts: a refresh stays bounded however
    /// much data there is.
    static let notesShown = 200
    static let accountsCounted = 100

    /// Pulls a fresh service snapshot, the logs and the notes once a second until cancelled.
    func refreshLoop() async {
        while !Task.isCancelled {
            send(.refreshed(service.snapshot(), logs: service.logs.lines().map(\.text)))
            loadNotes()
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Loads the accounts and the selected account's notes — never two loads at once: asked
    /// while one runs (a slow proxy, many accounts), it runs once more after it, for whatever
    /// is selected then.
    private func loadNotes() {
        let start = loads.withLock { loads in
            if loads.running { loads.again = true }
            defer { loads.running = true }
            return !loads.running
        }
        guard start else { return }
        Task {
            repeat {
                let notes = current.notes
                do {
                    send(try await load(notes.selectedAccountId, selectionChanges: notes.selectionChanges))
                } catch {
                    send(.failed("could not load the notes: \(ActionError(error).message)"))
                }
            } while loads.withLock { loads in
                defer { loads.again = false }
                loads.running = loads.again
                return loads.again
            }
        }
    }

    private func load(_ accountId: UUID?, selectionChanges: Int) async throws -> DashboardAction {
        let actions = service.actions
        var rows: [NotesPaneState.AccountRow] = []
        for (index, account) in try await actions.listAccounts().enumerated() {
            let count = index < Self.accountsCounted ? try await actions.countNotes(of: account.id) : nil
            rows.append(.init(account: account, noteCount: count))
        }
        var notes: [Note] = []
        if let accountId { notes = try await actions.notes(of: accountId, limit: Self.notesShown) }
        return .notesLoaded(accounts: rows, notes: notes, forAccount: accountId, selectionChanges: selectionChanges)
    }

    private func perform(_ effect: DashboardEffect) {
        let actions = service.actions
        switch effect {
        case .quit:
            quitRequested.store(true, ordering: .relaxed)
        case .deploy:
            do {
                send(.deployStarted(targetVersion: try actions.deploy()))
            } catch let error as ActionError where error.kind == .conflict {
                let target = service.controller.snapshot().targetVersion
                send(.deployRefused("already deploying\(target.map { " v\($0)" } ?? ""); wait for READY"))
            } catch {
                send(.deployRefused("deploy refused: \(ActionError(error).message)"))
            }
        case .injectFault(let fault):
            Task {
                do {
                    send(.faultInjected(try await actions.inject(fault)))
                } catch {
                    send(.faultInjected("\(fault.rawValue) refused: \(ActionError(error).message)"))
                }
            }
        case .toggleLoad:
            guard let generator = service.loadGenerator else {
                send(.failed("the load generator is off (--no-load)"))
                return
            }
            generator.setEnabled(!generator.isEnabled)
            send(.loadToggled(on: generator.isEnabled))
        case .createAccount(let name):
            run("create the account") { .accountCreated(try await actions.createAccount(name: name)) }
        case .createNote(let accountId, let content):
            run("create the note") { .noteSaved(try await actions.createNote(in: accountId, content: content)) }
        case .updateNote(let original, let content):
            run("save the note") { .noteSaved(try await actions.edit(original, content: content)) }
        case .deleteNote(let note):
            run("delete the note") {
                try await actions.delete(note)
                return .noteDeleted(note)
            }
        case .moveAccount(let accountId, let shard):
            placementChange("m") {
                let (from, to) = try await actions.moveAccount(accountId, toShard: shard)
                return "moving the account shard-\(from) → shard-\(to)"
            }
        case .growShards(let count):
            placementChange("+") {
                let (from, to) = try await actions.growShards(to: count)
                return "growing the shards \(from) → \(to); accounts move one by one"
            }
        case .drainShard(let index):
            placementChange("-") {
                let (from, to) = try await actions.drainShard(index)
                return "draining shard-\(index) (\(from) → \(to) active shards); it retires once empty"
            }
        case .migrate(let engine):
            placementChange("M") {
                _ = try await actions.migrate(to: engine)
                return "migrating every note to \(engine.rawValue), live; M again goes back"
            }
        case .loadNotes:
            loadNotes()
        }
    }

    /// Queues a move or a growth (the action wakes the placement worker); a refusal is shown
    /// after the key that asked (`+: the shards are already growing 2 → 3`).
    private func placementChange(_ key: String, _ body: @escaping @Sendable () async throws -> String) {
        Task {
            do {
                send(.placementChanged(try await body(), isError: false))
            } catch {
                send(.placementChanged("\(key): \(ActionError(error).message)", isError: true))
            }
        }
    }

    /// Runs an effect in the background; an error becomes a message in the Notes pane.
    private func run(_ what: String, _ body: @escaping @Sendable () async throws -> DashboardAction) {
        Task {
            do {
                send(try await body())
            } catch {
                send(.failed("could not \(what): \(ActionError(error).message)"))
            }
        }
    }
}
