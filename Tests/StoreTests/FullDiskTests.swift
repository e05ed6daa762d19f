import Foundation
import GRDB
import Testing
import TestSupport
@testable import Store

/// A full disk, as SQLite reports it (SQLITE_FULL): the write fails with a clear store error,
/// nothing already saved is lost, and writes work again once there is room.
@Suite struct FullDiskTests {
    let directory = TemporaryDirectory()

    @Test func aFullDatabaseRefusesTheWriteAndKeepsWhatItHas() async throws {
        let shard = try SQLiteNoteShard(url: URL(fileURLWithPath: directory.path).appendingPathComponent("shard-0.sqlite"),
                                        index: 0, shardCount: 1)
        defer { try? shard.close() }
        let account = UUID()
        let kept = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "saved before the disk filled")
        try await shard.createNote(accountId: account, note: kept)

        // SQLite's own page limit on the (single) writer connection: past it, every write
        // fails with SQLITE_FULL exactly as on a full disk.
        let pages = try await shard.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await shard.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }
        let big = String(repeating: "x", count: 60_000)
        var refused: (any Error)?
        var written: [Note] = []
        for index in 0..<20 {
            let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "\(index) \(big)")
            do {
                try await shard.createNote(accountId: account, note: note)
                written.append(note)
            } catch {
                refused = error
                break
            }
        }
        let error = try #require(refused as? StoreError, "no write was refused: \(String(describing: refused))")
        #expect(error == .unavailable("shard-0: disk full, the write was not saved"))
        #expect(try await shard.getNote(accountId: account, noteId: kept.id) == kept)
        #expect(try await shard.listNotes(accountId: account) == [kept] + written)

        let edited = kept.edited(content: String(repeating: "y", count: 64_000))
        await #expect(throws: StoreError.unavailable("shard-0: disk full, the write was not saved")) { try await shard.updateNote(accountId: account, note: edited) }
        #expect(try await shard.getNote(accountId: account, noteId: kept.id) == kept)

        try await shard.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        try await shard.updateNote(accountId: account, note: edited)
        #expect(try await shard.getNote(accountId: account, noteId: kept.id) == edited)
    }
}
