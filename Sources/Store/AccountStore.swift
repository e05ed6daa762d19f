import Foundation

/// Where accounts live: owned by the main process, never behind the proxy.
public protocol AccountStore: Sendable {
    func listAccounts() async throws -> [Account]
    func getAccount(id: UUID) async throws -> Account?
    func createAccount(_ account: Account) async throws
    func updateAccount(_ account: Account) async throws
    func healthCheck() async throws
}
