import Foundation
import Testing
import TestSupport
@testable import Store

/// What only the sharded store on a data dir does; the `NoteStore` contract itself is
/// `NoteStoreConformanceTests`, run against every store.
@Suite struct ShardedNoteStoreTests {
    let directory = TemporaryDirectory()

    func makeStore(shards: Int = 2) throws -> ShardedNoteStore {
        try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: shards)
    }

    func note(_ account: UUID, _ content: String = "hello") -> Note {
        Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
    }

    @Test func dataSurvivesReopening() async throws {
        let account = UUID()
        let saved = note(account, "persisted")
        do {
            let store = try makeStore()
            try await store.createNote(accountId: account, note: saved)
            try store.close()
        }
        let reopened = try makeStore()
        #expect(try await reopened.getNote(accountId: account, noteId: saved.id) == saved)
    }

    @Test func anotherShardCountIsRefused() async throws {
        _ = try makeStore(shards: 2)
        #expect(throws: StoreError.shardCountMismatch(dataDir: directory.url.standardizedFileURL.path, stored: 2, requested: 3)) {
            _ = try makeStore(shards: 3)
        }
        #expect(throws: StoreError.self) { _ = try makeStore(shards: 1) }
        #expect(throws: StoreError.self) { _ = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: 0) }
    }

    @Test func removeDatabasesWipesOnlyDatabases() async throws {
        let store = try makeStore()
        let account = UUID()
        try await store.createNote(accountId: account, note: note(account))
        try store.close()
        let others = ["keep.txt", "mine.sqlite", "mine.sqlite-wal", "shard-x.sqlite", "shard-.sqlite", "accounts.sqlite.bak", "notely.lock"]
        for name in others { FileManager.default.createFile(atPath: directory.path + "/" + name, contents: Data("x".utf8)) }
        FileManager.default.createFile(atPath: directory.path + "/placement.sqlite-journal", contents: Data())
        try DataDirectory(path: directory.path).removeDatabases()
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == others.sorted(), "only Notely's own databases go")
    }
}
