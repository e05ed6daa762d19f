import Foundation
import Testing
import TestSupport
@testable import Store

@Suite struct NoteStoreTests {
    let directory = TemporaryDirectory()

    func makeStore(shards: Int = 2) throws -> ShardedNoteStore {
        try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: shards)
    }

    func note(_ account: UUID, _ content: String = "hello") -> Note {
        Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
    }

    @Test func createGetListUpdateDeleteCount() async throws {
        let store = try makeStore()
        let account = UUID()
        let first = note(account, "first")
        let second = note(account, "second ✓ ünïcode")
        try await store.createNote(accountId: account, note: first)
        try await store.createNote(accountId: account, note: second)

        #expect(try await store.getNote(accountId: account, noteId: first.id) == first)
        #expect(try await store.listNotes(accountId: account).map(\.id).sorted { $0.uuidString < $1.uuidString }
            == [first.id, second.id].sorted { $0.uuidString < $1.uuidString })
        #expect(try await store.countNotes(accountId: account) == 2)

        var edited = first
        edited.content = "edited"
        edited.updatedAt = Note.now().addingTimeInterval(1)
        try await store.updateNote(accountId: account, note: edited)
        #expect(try await store.getNote(accountId: account, noteId: first.id) == edited)

        try await store.deleteNote(accountId: account, note: edited)
        #expect(try await store.getNote(accountId: account, noteId: first.id) == nil)
        #expect(try await store.countNotes(accountId: account) == 1)
        #expect(try await store.totalNotes() == 1)
        try await store.healthCheck()
    }

    @Test func missingNotesAreNotFound() async throws {
        let store = try makeStore()
        let account = UUID()
        let ghost = note(account)
        await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await store.updateNote(accountId: account, note: ghost) }
        await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await store.deleteNote(accountId: account, note: ghost) }
        #expect(try await store.getNote(accountId: account, noteId: ghost.id) == nil)
        #expect(try await store.listNotes(accountId: account).isEmpty)
    }

    @Test func anotherAccountsNoteIsInvisible() async throws {
        let store = try makeStore()
        let (owner, stranger) = (UUID(), UUID())
        let mine = note(owner)
        try await store.createNote(accountId: owner, note: mine)
        #expect(try await store.getNote(accountId: stranger, noteId: mine.id) == nil)
        await #expect(throws: StoreError.noteNotFound(mine.id)) { try await store.deleteNote(accountId: stranger, note: mine) }
        await #expect(throws: StoreError.self) { try await store.updateNote(accountId: stranger, note: mine) }
        #expect(try await store.countNotes(accountId: owner) == 1)
    }

    @Test func duplicateIdIsAConflict() async throws {
        let store = try makeStore()
        let account = UUID()
        let original = note(account)
        try await store.createNote(accountId: account, note: original)
        await #expect(throws: StoreError.noteAlreadyExists(original.id)) { try await store.createNote(accountId: account, note: original) }
    }

    @Test func contentLimitIsEnforcedAndDocumented() async throws {
        let store = try makeStore()
        let account = UUID()
        let atLimit = note(account, String(repeating: "a", count: StoreLimits.maxContentBytes))
        try await store.createNote(accountId: account, note: atLimit)
        let over = note(account, String(repeating: "é", count: StoreLimits.maxContentBytes / 2 + 1))
        await #expect(throws: StoreError.contentTooLarge(bytes: over.content.utf8.count, limit: StoreLimits.maxContentBytes)) {
            try await store.createNote(accountId: account, note: over)
        }
    }

    @Test func creatorMustBeTheAccount() async throws {
        let store = try makeStore()
        let wrong = note(UUID())
        await #expect(throws: StoreError.self) { try await store.createNote(accountId: UUID(), note: wrong) }
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
        FileManager.default.createFile(atPath: directory.path + "/keep.txt", contents: Data("x".utf8))
        try DataDirectory(path: directory.path).removeDatabases()
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left == ["keep.txt"])
    }
}
