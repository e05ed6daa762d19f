import Foundation
import GRDB
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

    @Test func namesAreKeptByteForByteAndOldRowsStillRead() async throws {
        let store = try SQLiteAccountStore(dataDirectory: DataDirectory(path: directory.path))
        let odd = Account(name: "Ada\u{0}Lovelace 東京 e\u{301}")
        try await store.createAccount(odd)
        #expect(try await store.getAccount(id: odd.id) == odd)
        try store.close()
        // A row written as TEXT with an upper-case key, as every earlier version did, reads the same.
        let pool = try DatabasePool(path: DataDirectory(path: directory.path).accountsURL.path)
        let old = UUID()
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO account(id, name, createdAtMs) VALUES (?, ?, 0)", arguments: [old.uuidString, "Old Text"])
        }
        try pool.close()
        let reopened = try SQLiteAccountStore(dataDirectory: DataDirectory(path: directory.path))
        #expect(try await reopened.getAccount(id: old)?.name == "Old Text")
    }

    @Test func idsAreWrittenInLowerCase() throws {
        let account = Account(id: UUID(uuidString: "F42F0C17-0000-4000-8000-00000000ABCD")!, name: "Ada")
        let json = String(decoding: try JSONEncoder().encode(account), as: UTF8.self)
        #expect(json.contains("f42f0c17-0000-4000-8000-00000000abcd"), "\(json)")
        #expect(try JSONDecoder().decode(Account.self, from: Data(json.utf8)) == account)
    }
}
