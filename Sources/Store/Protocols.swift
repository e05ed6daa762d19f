import Foundation

/// Where notes live. The SQLite shards, the proxy client and the deployment controller all
/// speak it, so the REST API and the dashboard never care which one they hold.
public protocol NoteStore: Sendable {
    func listNotes(accountId: UUID) async throws -> [Note]
    func getNote(accountId: UUID, noteId: UUID) async throws -> Note?
    func createNote(accountId: UUID, note: Note) async throws
    func updateNote(accountId: UUID, note: Note) async throws
    func deleteNote(accountId: UUID, note: Note) async throws
    func countNotes(accountId: UUID) async throws -> Int
    func totalNotes() async throws -> Int
    func healthCheck() async throws
}

/// Where accounts live: owned by the main process, never behind the proxy.
public protocol AccountStore: Sendable {
    func listAccounts() async throws -> [Account]
    func getAccount(id: UUID) async throws -> Account?
    func createAccount(_ account: Account) async throws
    func updateAccount(_ account: Account) async throws
    func healthCheck() async throws
}
