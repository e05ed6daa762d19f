import Foundation
import Store

/// The dashboard's pure core: an action changes the state and may ask for effects. No I/O,
/// no clock — tests drive it key by key.
enum DashboardUpdate {
    /// Lines one PgUp/PgDn moves the log view.
    static let logPage = 10
    static let maxLogLines = 1000
    /// Refreshes (seconds) a message stays on screen.
    static let messageTicks = 6

    static func update(_ state: inout DashboardState, _ action: DashboardAction) -> [DashboardEffect] {
        switch action {
        case .key(let key):
            return handle(key, &state)
        case .refreshed(let snapshot, let logs):
            state.service = snapshot
            state.traffic.record(snapshot.deployment)
            state.logs = Array(logs.suffix(maxLogLines))
            state.loadEnabled = snapshot.load.running
            age(&state)
            return []
        case .notesLoaded(let accounts, let notes, let accountId, let selectionChanges):
            // The selection moved while loading: what was loaded may not hold it. Load again.
            guard selectionChanges == state.notes.selectionChanges else { return [.loadNotes(accountId: state.notes.selectedAccountId)] }
            state.notes.accounts = accounts
            if state.notes.selectedAccountIndex == nil { state.notes.select(account: accounts.first?.account.id) }
            if accountId == state.notes.selectedAccountId {
                state.notes.notes = notes
                state.notes.notesAccountId = accountId
                if state.notes.selectedNoteIndex == nil { state.notes.selectShown(note: notes.first?.id) }
                return []
            }
            // The selected account was gone and the first one is selected instead: load its notes.
            return [.loadNotes(accountId: state.notes.selectedAccountId)]
        case .accountCreated(let account):
            state.notes.select(account: account.id)
            state.notes.notes = []
            state.notes.focus = .accounts
            report(&state, "account \(account.name) created")
            return [.loadNotes(accountId: account.id)]
        case .noteSaved(let note):
            state.notes.select(account: state.notes.selectedAccountId, note: note.id)
            state.notes.focus = .notes
            report(&state, "note saved")
            return [.loadNotes(accountId: state.notes.selectedAccountId)]
        case .noteDeleted:
            state.notes.select(account: state.notes.selectedAccountId)
            report(&state, "note deleted")
            return [.loadNotes(accountId: state.notes.selectedAccountId)]
        case .deployStarted(let target):
            showDeployMessage(&state, "deploy of v\(target) started")
            return []
        case .deployRefused(let reason), .faultInjected(let reason):
            showDeployMessage(&state, reason)
            return []
        case .loadToggled(let on):
            state.loadEnabled = on
            return []
        case .placementChanged(let message, let isError):
            report(&state, message, isError: isError)
            return []
        case .failed(let message):
            report(&state, message, isError: true)
            return []
        }
    }

    private static func report(_ state: inout DashboardState, _ message: String, isError: Bool = false) {
        state.notes.message = message
        state.notes.messageIsError = isError
        state.notes.messageTicks = messageTicks
    }

    private static func showDeployMessage(_ state: inout DashboardState, _ message: String) {
        state.deployMessage = message
        state.deployMessageTicks = messageTicks
    }

    /// Messages fade after `messageTicks` refreshes.
    private static func age(_ state: inout DashboardState) {
        state.notes.messageTicks = max(0, state.notes.messageTicks - 1)
        if state.notes.messageTicks == 0 { state.notes.message = nil }
        state.deployMessageTicks = max(0, state.deployMessageTicks - 1)
        if state.deployMessageTicks == 0 { state.deployMessage = nil }
    }

    // MARK: Keys

    private static func handle(_ key: KeyEvent, _ state: inout DashboardState) -> [DashboardEffect] {
        if key == .interrupt { return quit(&state) }
        if key == .resize { return [] }
        if state.showHelp {
            state.showHelp = false
            return Keymap.command(for: key) == .quit ? quit(&state) : []
        }
        switch state.mode {
        case .editing(let edit, var field):
            return handleEditing(key, edit, &field, &state)
        case .confirmingDelete(let note):
            state.mode = .browsing
            if key == .character("y") || key == .character("Y") { return [.deleteNote(note)] }
            report(&state, "delete cancelled")
            return []
        case .browsing:
            return handleBrowsing(key, &state)
        }
    }

    private static func handleEditing(_ key: KeyEvent, _ edit: DashboardState.Edit, _ field: inout TextField,
                                      _ state: inout DashboardState) -> [DashboardEffect] {
        switch key {
        case .escape:
            state.mode = .browsing
            return []
        case .enter:
            let text = field.text.trimmingCharacters(in: .whitespaces)
            if text.isEmpty, edit == .newAccount {
                report(&state, "an account needs a name", isError: true)
                return []
            }
            state.mode = .browsing
            switch edit {
            case .newAccount: return [.createAccount(name: text)]
            case .newNote(let accountId): return [.createNote(accountId: accountId, content: field.text)]
            case .note(let note): return [.updateNote(note, content: field.text)]
            }
        default:
            _ = field.apply(key)
            state.mode = .editing(edit, field)
            return []
        }
    }

    private static func handleBrowsing(_ key: KeyEvent, _ state: inout DashboardState) -> [DashboardEffect] {
        guard let command = Keymap.command(for: key) else { return [] }
        switch command {
        case .quit: return quit(&state)
        case .deploy: return [.deploy]
        case .killProxy: return [.injectFault(.kill)]
        case .hangProxy: return [.injectFault(.hang)]
        case .makeSlow: return [.injectFault(.slow)]
        case .makeFailing: return [.injectFault(.errors)]
        case .makeWrong: return [.injectFault(.wrong)]
        case .toggleLoad: return [.toggleLoad]
        case .moveAccount: return moveAccount(&state)
        case .addShard: return addShard(&state)
        case .drainShard: return drainShard(&state)
        case .migrate: return migrate(&state)
        case .showHelp:
            state.showHelp = true
            return []
        case .moveUp: return move(-1, &state)
        case .moveDown: return move(1, &state)
        case .switchFocus:
            state.notes.focus = state.notes.focus == .accounts ? .notes : .accounts
            return []
        case .newAccount:
            state.mode = .editing(.newAccount, TextField())
            return []
        case .newNote:
            guard let accountId = state.notes.selectedAccountId else {
                report(&state, "create or select an account first", isError: true)
                return []
            }
            state.mode = .editing(.newNote(accountId: accountId), TextField())
            return []
        case .edit:
            if state.notes.focus == .accounts, key == .enter {
                state.notes.focus = .notes
                return []
            }
            guard state.notes.focus == .notes, let note = state.notes.selectedNote else {
                report(&state, "select a note to edit", isError: true)
                return []
            }
            state.mode = .editing(.note(note), TextField(note.content))
            return []
        case .delete:
            guard state.notes.focus == .notes, let note = state.notes.selectedNote else {
                report(&state, "select a note to delete", isError: true)
                return []
            }
            state.mode = .confirmingDelete(note)
            return []
        case .scrollLogsBack where state.bottomView == .note:
            state.previewScroll = max(0, state.previewScroll - logPage)
            return []
        case .scrollLogsForward where state.bottomView == .note:
            // Never past the note's length in lines at most; the preview stops at its last page when drawn.
            state.previewScroll = min(state.previewScroll + logPage, state.notes.selectedNote?.content.count ?? 0)
            return []
        case .scrollLogsBack:
            state.logScroll = min(state.logScroll + logPage, max(0, state.logs.count - 1))
            return []
        case .scrollLogsForward:
            state.logScroll = max(0, state.logScroll - logPage)
            return []
        case .cycleBottomView:
            let views = DashboardState.BottomView.allCases
            state.bottomView = views[((views.firstIndex(of: state.bottomView) ?? 0) + 1) % views.count]
            state.previewScroll = 0
            return []
        case .cycleLogFilter:
            state.logFilter = state.logFilter.next(in: state.logs)
            state.bottomView = .logs
            state.logScroll = 0
            return []
        }
    }

    private static func move(_ delta: Int, _ state: inout DashboardState) -> [DashboardEffect] {
        switch state.notes.focus {
        case .accounts:
            guard !state.notes.accounts.isEmpty else { return [] }
            let index = clamp((state.notes.selectedAccountIndex ?? 0) + delta, count: state.notes.accounts.count)
            let id = state.notes.accounts[index].account.id
            guard id != state.notes.selectedAccountId else { return [] }
            state.notes.select(account: id)
            return [.loadNotes(accountId: id)]
        case .notes:
            guard !state.notes.notes.isEmpty else { return [] }
            let index = clamp((state.notes.selectedNoteIndex ?? -1) + delta, count: state.notes.notes.count)
            state.notes.selectShown(note: state.notes.notes[index].id)
            state.previewScroll = 0
            return []
        }
    }

    private static func clamp(_ index: Int, count: Int) -> Int { min(max(index, 0), count - 1) }

    /// `m`: the selected account to the next active shard (wrapping round).
    private static func moveAccount(_ state: inout DashboardState) -> [DashboardEffect] {
        guard let accountId = state.notes.selectedAccountId, let placement = state.service?.placement.placement else {
            report(&state, "select an account to move", isError: true)
            return []
        }
        let active = placement.activeShards
        guard active.count > 1 else {
            report(&state, "there is one shard only: + adds one", isError: true)
            return []
        }
        let next = active.first { $0 > placement.shard(of: accountId) } ?? active[0]
        return [.moveAccount(accountId, toShard: next)]
    }

    /// `+`: one shard more.
    private static func addShard(_ state: inout DashboardState) -> [DashboardEffect] {
        guard let placement = state.service?.placement.placement else { return [] }
        guard placement.activeShards.count < ShardedNoteStore.maxShards else {
            report(&state, "\(ShardedNoteStore.maxShards) shards is the most", isError: true)
            return []
        }
        return [.growShards(to: placement.activeShards.count + 1)]
    }

    /// `-`: the newest active shard drained and retired.
    private static func drainShard(_ state: inout DashboardState) -> [DashboardEffect] {
        guard let placement = state.service?.placement.placement, let newest = placement.activeShards.last else { return [] }
        guard placement.activeShards.count > 1 else {
            report(&state, "-: one active shard is the fewest", isError: true)
            return []
        }
        return [.drainShard(newest)]
    }

    /// `M`: every note to the other engine — to PostgreSQL while any active shard is on
    /// SQLite, back to SQLite once all are on PostgreSQL. PostgreSQL needs a server.
    private static func migrate(_ state: inout DashboardState) -> [DashboardEffect] {
        guard let view = state.service?.placement else { return [] }
        let placement = view.placement
        let target: ShardEngine = placement.activeShards.contains { placement.engine(of: $0) == .sqlite } ? .postgres : .sqlite
        if target == .postgres, view.postgres == nil {
            report(&state, "M: migrating needs a PostgreSQL server — start with scripts/run.sh --postgres (or notely --postgres URL)",
                   isError: true)
            return []
        }
        return [.migrate(to: target)]
    }

    private static func quit(_ state: inout DashboardState) -> [DashboardEffect] {
        state.quitting = true
        return [.quit]
    }
}
