import Foundation
import Testing
import TestSupport
@testable import Store

/// Two stores on one data dir stand for the two proxies of a rollout: separate connection
/// pools on the same files, writing at the same time.
@Suite struct ConcurrentWritersTests {
    @Test func twoWritersOnOneShardLoseNothing() async throws {
        let directory = TemporaryDirectory()
        let first = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: 1)
        let second = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: 1)
        let account = UUID()
        let perWriter = 150

        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [first, second] {
                for _ in 0..<perWriter {
                    group.addTask {
                        let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "n")
                        try await store.createNote(accountId: account, note: note)
                        let edited = note.edited(content: "edited")
                        try await store.updateNote(accountId: account, note: edited)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.countNotes(accountId: account) == 2 * perWriter)
        let notes = try await second.listNotes(accountId: account)
        #expect(notes.count == 2 * perWriter)
        #expect(notes.allSatisfy { $0.content == "edited" })
    }
}
