import Foundation
import Testing
import TestSupport
@testable import Proxy
@testable import Store

/// Every `NoteStore` there is, made fresh for one test, with what must be stopped after it.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteShard, shardedStore, proxyClient, controller
    case postgresShard, postgresShardedStore, proxyClientOnPostgres, controllerOnPostgres

    var testDescription: String { rawValue }

    /// A store of this kind on a temporary data dir: real SQLite files, and for the last two a
    /// real `notely --proxy` child.
    func make() async throws -> StoreUnderTest {
        switch self {
        case .sqliteShard:
            let directory = TemporaryDirectory("notely-conformance")
            let shard = try SQLiteNoteShard(url: directory.url.appendingPathComponent("shard-0.sqlite"), index: 0, shardCount: 1)
            return StoreUnderTest(store: shard, keep: directory) { try? shard.close() }
        case .shardedStore:
            let directory = TemporaryDirectory("notely-conformance")
            let store = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: 2)
            return StoreUnderTest(store: store, keep: directory) { try? store.close() }
        case .postgresShard:
            let directory = TemporaryDirectory("notely-conformance")
            let server = PostgresServer(settings: try TestPostgres.settings())
            let shard = PostgresNoteShard(index: 0, schema: PostgresSchema(name: "notely_conformance_\(UInt32.random(in: 1...UInt32.max))"),
                                          server: server)
            return StoreUnderTest(store: shard, keep: directory) {
                try? await shard.drop(deadline: nil)
                server.close()
            }
        case .postgresShardedStore:
            let directory = TemporaryDirectory("notely-conformance")
            let store = try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path), shardCount: 2, engineIfNew: .postgres,
                                             postgres: TestPostgres.settings())
            return StoreUnderTest(store: store, keep: directory) { try? store.close() }
        case .proxyClientOnPostgres:
            let harness = ProxyHarness(engine: .postgres)
            let process = try await harness.launch()
            return StoreUnderTest(store: process.client, keep: harness.directory) { await process.shutdown(logger: harness.logger) }
        case .controllerOnPostgres:
            let harness = try DeploymentHarness(engine: .postgres)
            try await harness.controller.deploy()
            return StoreUnderTest(store: harness.controller, keep: harness.directory) { await harness.controller.shutdown() }
        case .proxyClient:
            let harness = ProxyHarness()
            let process = try await harness.launch()
            return StoreUnderTest(store: process.client, keep: harness.directory) { await process.shutdown(logger: harness.logger) }
        case .controller:
            let harness = try DeploymentHarness()
            try await harness.controller.deploy()
            return StoreUnderTest(store: harness.controller, keep: harness.directory) { await harness.controller.shutdown() }
        }
    }
}

struct StoreUnderTest {
    let store: any NoteStore
    /// Holds the data dir for as long as the store is used.
    let keep: TemporaryDirectory
    let stop: @Sendable () async -> Void

    /// Runs `body` on the store, then stops it whatever happened.
    static func with(_ kind: StoreKind, _ body: (any NoteStore) async throws -> Void) async throws {
        let subject = try await kind.make()
        do {
            try await body(subject.store)
        } catch {
            await subject.stop()
            throw error
        }
        await subject.stop()
    }
}

/// The `NoteStore` contract, run against every store: the SQLite shard, the sharded store, the
/// proxy client over a real child, and the deployment controller in front of it. A store
/// that forwards must behave exactly as the one it forwards to.
@Suite struct NoteStoreConformanceTests {
    func note(_ account: UUID, _ content: String = "hello", createdAt: Date = Note.now()) -> Note {
        Note(creator: account, createdAt: createdAt, updatedAt: createdAt, content: content)
    }

    @Test(arguments: StoreKind.allCases)
    func createGetListUpdateDeleteCount(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let first = note(account, "first")
            let second = note(account, "second ✓ ünïcode", createdAt: first.createdAt.addingTimeInterval(1))
            try await store.createNote(accountId: account, note: first)
            try await store.createNote(accountId: account, note: second)

            #expect(try await store.getNote(accountId: account, noteId: first.id) == first)
            #expect(try await store.listNotes(accountId: account) == [first, second], "oldest first")
            #expect(try await store.countNotes(accountId: account) == 2)

            var edited = first
            edited.content = "edited"
            edited.updatedAt = first.updatedAt.addingTimeInterval(5)
            try await store.updateNote(accountId: account, note: edited)
            #expect(try await store.getNote(accountId: account, noteId: first.id) == edited)

            try await store.deleteNote(accountId: account, note: edited)
            #expect(try await store.getNote(accountId: account, noteId: first.id) == nil)
            #expect(try await store.countNotes(accountId: account) == 1)
            #expect(try await store.totalNotes() == 1)
            try await store.healthCheck()
        }
    }

    @Test(arguments: StoreKind.allCases)
    func missingNotesAreNotFound(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let ghost = note(account)
            await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await store.updateNote(accountId: account, note: ghost) }
            await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await store.deleteNote(accountId: account, note: ghost) }
            #expect(try await store.getNote(accountId: account, noteId: ghost.id) == nil)
            #expect(try await store.listNotes(accountId: account).isEmpty)
            #expect(try await store.countNotes(accountId: account) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherAccountsNoteIsInvisible(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let (owner, stranger) = (UUID(), UUID())
            let mine = note(owner)
            try await store.createNote(accountId: owner, note: mine)
            #expect(try await store.getNote(accountId: stranger, noteId: mine.id) == nil)
            await #expect(throws: StoreError.noteNotFound(mine.id)) { try await store.deleteNote(accountId: stranger, note: mine) }
            await #expect(throws: StoreError.self) { try await store.updateNote(accountId: stranger, note: mine) }
            await #expect(throws: StoreError.self) { try await store.createNote(accountId: stranger, note: self.note(owner)) }
            #expect(try await store.countNotes(accountId: owner) == 1)
            #expect(try await store.listNotes(accountId: stranger).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aDuplicateIdIsAConflict(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let original = note(account)
            try await store.createNote(accountId: account, note: original)
            var other = original
            other.content = "another note under the same id"
            other.createdAt = original.createdAt.addingTimeInterval(1)
            await #expect(throws: StoreError.noteAlreadyExists(original.id)) { try await store.createNote(accountId: account, note: other) }
            #expect(try await store.getNote(accountId: account, noteId: original.id) == original)
        }
    }

    /// A create is known by its account, id and creation time: sent again after the note was
    /// edited it is the success it was, and the edit stays.
    @Test(arguments: StoreKind.allCases)
    func aCreateSentAgainAfterAnEditKeepsTheEdit(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let original = note(account)
            try await store.createNote(accountId: account, note: original)
            let edited = original.edited(content: "edited since")
            try await store.updateNote(accountId: account, note: edited)
            try await store.createNote(accountId: account, note: original)
            #expect(try await store.getNote(accountId: account, noteId: original.id) == edited)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theContentLimitHolds(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let atLimit = note(account, String(repeating: "a", count: StoreLimits.maxContentBytes))
            try await store.createNote(accountId: account, note: atLimit)
            #expect(try await store.getNote(accountId: account, noteId: atLimit.id) == atLimit)
            let over = note(account, String(repeating: "é", count: StoreLimits.maxContentBytes / 2 + 1))
            await #expect(throws: StoreError.contentTooLarge(bytes: over.content.utf8.count, limit: StoreLimits.maxContentBytes)) {
                try await store.createNote(accountId: account, note: over)
            }
            #expect(try await store.countNotes(accountId: account) == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oddTextComesBackAsItWent(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let texts = ["e\u{301} combining", "👩‍👩‍👧 family, 🇯🇵 flag", "東京 wide", "line\nbreak\ttab\r",
                         #"quotes " and \ backslash / slash"#, "\u{1}\u{1f} control", "", " padded ", "abc\u{0}secret after a NUL", "\u{0}"]
            var written: [Note] = []
            for (index, text) in texts.enumerated() {
                let next = note(account, text, createdAt: Note.now().addingTimeInterval(Double(index)))
                try await store.createNote(accountId: account, note: next)
                written.append(next)
            }
            #expect(try await store.listNotes(accountId: account) == written)
            for note in written { #expect(try await store.getNote(accountId: account, noteId: note.id) == note) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func totalCountsEveryAccount(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let accounts = (0..<5).map { _ in UUID() }
            for (index, account) in accounts.enumerated() {
                for _ in 0...index { try await store.createNote(accountId: account, note: note(account)) }
            }
            #expect(try await store.totalNotes() == 15)
            for (index, account) in accounts.enumerated() { #expect(try await store.countNotes(accountId: account) == index + 1) }
        }
    }
}

/// What makes a write safe to retry after a crash, on every store.
@Suite struct RetrySafeWritesTests {
    @Test(arguments: StoreKind.allCases)
    func theSameCreateAgainSucceedsAndChangesNothing(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "once")
            try await store.createNote(accountId: account, note: note)
            try await store.createNote(accountId: account, note: note)
            #expect(try await store.listNotes(accountId: account) == [note])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theNewestUpdateWinsWhateverTheOrder(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let created = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "v0")
            try await store.createNote(accountId: account, note: created)
            var newer = created, older = created
            newer.content = "newer"
            newer.updatedAt = created.updatedAt.addingTimeInterval(2)
            older.content = "older, arriving late"
            older.updatedAt = created.updatedAt.addingTimeInterval(1)
            try await store.updateNote(accountId: account, note: newer)
            try await store.updateNote(accountId: account, note: older)   // acknowledged, and dropped
            #expect(try await store.getNote(accountId: account, noteId: created.id) == newer)
            try await store.updateNote(accountId: account, note: newer)   // a retry of the same update
            #expect(try await store.getNote(accountId: account, noteId: created.id) == newer)
        }
    }

    /// A create sent again after someone else deleted its note (the first try landed and its
    /// answer was lost) finds the tombstone: the success it was, and the note stays deleted.
    @Test(arguments: StoreKind.allCases)
    func aCreateSentAgainAfterItsNoteWasDeletedLeavesItDeleted(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "deleted since")
            try await store.createNote(accountId: account, note: note)
            try await store.deleteNote(accountId: account, note: note)
            try await store.createNote(accountId: account, note: note)
            #expect(try await store.getNote(accountId: account, noteId: note.id) == nil)
            #expect(try await store.countNotes(accountId: account) == 0)
        }
    }

    /// Two edits stamped the same (one millisecond, or a clock stepped back): the one stored
    /// first stays, so a late retry of an older edit can never replace a newer one stamped alike.
    @Test(arguments: StoreKind.allCases)
    func anUpdateStampedAsTheStoredNoteNeverReplacesIt(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (store: any NoteStore) async throws in
            let account = UUID()
            let created = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "v0")
            try await store.createNote(accountId: account, note: created)
            let newer = created.edited(content: "newer")
            var retried = newer
            retried.content = "an older edit, stamped the same, arriving late"
            try await store.updateNote(accountId: account, note: newer)
            try await store.updateNote(accountId: account, note: retried)   // acknowledged, and dropped
            #expect(try await store.getNote(accountId: account, noteId: created.id) == newer)
        }
    }
}

/// Only a try that may have reached a proxy makes the next one a retry.
@Suite struct ControllerRetryTests {
    /// The first try never left this process (its client was shut down: `notSent`), so a
    /// "not found" from the version that then serves is the answer, not a retry's success.
    /// Both versions serve (a rollout held in ROLLOUT_WAIT) and each call picks one at random:
    /// over 24 deletes, some first try v1 (the chance that none does is 2⁻²⁴) and go on to v2.
    @Test func aDeleteThatNeverReachedAProxyIsNotASuccessForANoteThatNeverExisted() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(120))
        let controller = harness.controller
        try await controller.deploy()
        let v1 = try #require(controller.current())
        _ = try controller.startDeploy()
        #expect(await eventually(timeout: .seconds(60)) { controller.snapshot().status == .rolloutWait })
        await v1.client.shutdown()
        for _ in 0..<24 {
            let ghost = Note(creator: UUID(), createdAt: Note.now(), updatedAt: Note.now(), content: "never written")
            await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await controller.deleteNote(accountId: ghost.creator, note: ghost) }
        }
        await controller.shutdown()
    }
}
