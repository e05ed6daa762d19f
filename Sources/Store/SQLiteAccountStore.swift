import Foundation
import GRDB

/// Accounts in `accounts.sqlite`, owned by the main process.
public final class SQLiteAccountStore: AccountStore {
    private let pool: DatabasePool

    public init(dataDirectory: DataDirectory, durability: Durability = .default) throws {
        try dataDirectory.create()
        pool = try DatabasePool(path: dataDirectory.accountsURL.path,
                                configuration: DataDirectory.configuration(label: "accounts"))
        try durability.apply(to: pool)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounts") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    createdAtMs INTEGER NOT NULL
                )
                """)
        }
        try migrator.migrate(pool)
    }

    public func listAccounts() async throws -> [Account] {
        try await mappingErrors(shard: "accounts") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, name FROM account ORDER BY createdAtMs, rowid").map(Self.account)
            }
        }
    }

    public func getAccount(id: UUID) async throws -> Account? {
        try await mappingErrors(shard: "accounts") {
            try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT id, name FROM account WHERE id = ?", arguments: [id.storageText]).map(Self.account)
            }
        }
    }

    public func createAccount(_ account: Account) async throws {
        try StoreLimits.validateAccountName(account.name)
        try await mappingErrors(shard: "accounts") {
            try await pool.write { db in
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM account WHERE id = ?)",
                                               arguments: [account.id.storageText]) ?? false
                if exists { throw StoreError.invalidInput("account \(account.id.uuidText) already exists") }
                try db.execute(sql: "INSERT INTO account(id, name, createdAtMs) VALUES (?, ?, ?)",
                               arguments: [account.id.storageText, StoredText.value(account.name),
                                           Timestamp.milliseconds(Date())])
            }
        }
    }

    public func updateAccount(_ account: Account) async throws {
        try StoreLimits.validateAccountName(account.name)
        try await mappingErrors(shard: "accounts") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE account SET name = ? WHERE id = ?", arguments: [StoredText.value(account.name), account.id.storageText])
                if db.changesCount == 0 { throw StoreError.accountNotFound(account.id) }
            }
        }
    }

    public func healthCheck() async throws {
        try await mappingErrors(shard: "accounts") {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        }
    }

    public func close() throws { try pool.close() }

    private static func account(_ row: Row) throws -> Account {
        guard let id = UUIDText.parse(row["id"]) else { throw StoreError.unavailable("corrupt account row: bad id") }
        return Account(id: id, name: StoredText.read(row, 1))
    }
}
