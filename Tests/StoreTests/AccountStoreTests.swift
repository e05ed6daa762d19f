import Foundation
import Testing
import TestSupport
@testable import Store

@Suite struct AccountStoreTests {
    let directory = TemporaryDirectory()

    @Test func createGetListUpdate() async throws {
        let store = try SQLiteAccountStore(dataDirectory: DataDirectory(path: directory.path))
        let ada = Account(name: "Ada")
        let bob = Account(name: "Bob")
        try await store.createAccount(ada)
        try await store.createAccount(bob)
        #expect(try await store.getAccount(id: ada.id) == ada)
        #expect(try await store.listAccounts() == [ada, bob])
        var renamed = bob
        renamed.name = "Robert"
        try await store.updateAccount(renamed)
        #expect(try await store.getAccount(id: bob.id)?.name == "Robert")
        #expect(try await store.getAccount(id: UUID()) == nil)
        try await store.healthCheck()
    }

    @Test func badInputIsRefused() async throws {
        let store = try SQLiteAccountStore(dataDirectory: DataDirectory(path: directory.path))
        await #expect(throws: StoreError.self) { try await store.createAccount(Account(name: "   ")) }
        await #expect(throws: StoreError.self) { try await store.createAccount(Account(name: String(repeating: "x", count: 201))) }
        let ghost = Account(name: "ghost")
        await #expect(throws: StoreError.accountNotFound(ghost.id)) { try await store.updateAccount(ghost) }
        let ada = Account(name: "Ada")
        try await store.createAccount(ada)
        await #expect(throws: StoreError.self) { try await store.createAccount(ada) }
    }
}
