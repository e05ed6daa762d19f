import Foundation
import Proxy
import Store

/// What can happen to the dashboard: a key, fresh data, or the result of an effect.
enum DashboardAction: Sendable {
    case key(KeyEvent)
    case refreshed(ServiceSnapshot, logs: [String])
    /// A load of the accounts and `forAccount`'s notes, begun at the pane's `selectionChanges`.
    case notesLoaded(accounts: [NotesPaneState.AccountRow], notes: [Note], forAccount: UUID?, selectionChanges: Int)
    case accountCreated(Account)
    case noteSaved(Note)
    case noteDeleted(Note)
    case deployStarted(targetVersion: Int)
    case deployRefused(String)
    /// What a `k`, `h`, `s`, `f` or `w` did, or why it could not.
    case faultInjected(String)
    case loadToggled(on: Bool)
    /// A move or a growth was queued (or refused): what to tell the presenter.
    case placementChanged(String, isError: Bool)
    case failed(String)
}

/// Work the dashboard asks its runtime to do; results come back as actions.
enum DashboardEffect: Equatable, Sendable {
    case createAccount(name: String)
    case createNote(accountId: UUID, content: String)
    case updateNote(Note, content: String)
    case deleteNote(Note)
    case deploy
    case injectFault(Fault)
    case toggleLoad
    case moveAccount(UUID, toShard: Int)
    case growShards(to: Int)
    case drainShard(Int)
    case migrate(to: ShardEngine)
    /// Reload accounts and the notes of this account.
    case loadNotes(accountId: UUID?)
    case quit
}
