import Foundation
import PostgresNIO
import Synchronization
import Testing
import TestSupport
@testable import Store

/// Shards on a real PostgreSQL server (the one `scripts/test.sh` starts): moves and growth on
/// it and across engines, its lock bounded by the call's deadline, and what the server does
/// wrong — a refused connection, a killed backend, a full pool — costing no call.
@Suite struct PostgresShardTests {
    let directory = TemporaryDirectory()
    var dataDirectory: DataDirectory { DataDirectory(path: directory.path) }

    func makeStore(engine: ShardEngine = .postgres, settings: PostgresSettings? = nil) throws -> ShardedNoteStore {
        try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2, engineIfNew: engine,
                             postgres: settings ?? TestPostgres.settings())
    }

    func note(_ account: UUID, _ content: String) -> Note {
        Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
    }

    @Test func aMoveBetweenPostgresShardsCarriesEveryNoteWhileAnotherStoreWrites() async throws {
        let mover = try makeStore()
        let writer = try makeStore()
        defer { try? mover.close(); try? writer.close() }
        #expect(try mover.engines() == [.postgres, .postgres])
        let account = UUID()
        for index in 0..<230 { try await writer.createNote(accountId: account, note: note(account, "before \(index)")) }
        let from = try writer.home(of: account)
        try await mover.moveAccount(account, toShard: 1 - from)
        let writes = Task {
            var created: [Note] = []
            for index in 0..<60 {
                let new = note(account, "during \(index)")
                try await writer.createNote(accountId: account, note: new)
                created.append(new)
                let seen = try await writer.listNotes(accountId: account)
                if !created.allSatisfy({ seen.contains($0) }) { throw StoreError.unavailable("a read missed an acknowledged write") }
            }
            return created
        }
        while try await mover.stepPlacement().hasWork { await Task.yield() }
        let created = try await writes.value
        let notes = try await mover.listNotes(accountId: account)
        #expect(notes.count == 290)
        #expect(Set(created).isSubset(of: Set(notes)))
        #expect(try mover.home(of: account) == 1 - from)
        let placement = try await mover.describePlacement()
        #expect(placement.notesPerShard.reduce(0, +) == 290)
        #expect(placement.engines == [.postgres, .postgres])
    }

    /// A SQLite data dir grows onto PostgreSQL: the new shard's engine is recorded, and the
    /// accounts it gets move across engines with their notes and tombstones.
    @Test func aSQLiteDataDirGrowsOntoAPostgresShard() async throws {
        let store = try makeStore(engine: .sqlite)
        defer { try? store.close() }
        let accounts = (0..<12).map { _ in UUID() }
        var deleted: [UUID: Note] = [:]
        for account in accounts {
            for index in 0..<5 { try await store.createNote(accountId: account, note: note(account, "\(index)\u{0}tail")) }
            let gone = note(account, "deleted")
            try await store.createNote(accountId: account, note: gone)
            try await store.deleteNote(accountId: account, note: gone)
            deleted[account] = gone
        }
        #expect(try await store.growShards(to: 3, engine: .postgres) == (2, 3))
        while try await store.stepPlacement().hasWork {}
        let done = try await store.describePlacement()
        #expect(done.engines == [.sqlite, .sqlite, .postgres])
        #expect(done.notesPerShard.reduce(0, +) == 12 * 5)
        #expect(done.notesPerShard[2] > 0)
        for account in accounts {
            #expect(try store.home(of: account) == ShardRouter(shardCount: 3).shard(for: account))
            let notes = try await store.listNotes(accountId: account)
            #expect(notes.count == 5 && notes.allSatisfy { $0.content.hasSuffix("\u{0}tail") })
            // The same create again finds the tombstone that moved with the account.
            try await store.createNote(accountId: account, note: deleted[account]!)
            #expect(try await store.getNote(accountId: account, noteId: deleted[account]!.id) == nil)
        }
        // Another process finds shard 2 on PostgreSQL from the placement alone.
        let other = try makeStore(engine: .sqlite)
        defer { try? other.close() }
        #expect(try await other.countNotes(accountId: accounts[0]) == 5)
        #expect(try other.engines() == [.sqlite, .sqlite, .postgres])
    }

    @Test func aWriteThatCannotGetThePostgresShardLockByItsDeadlineCommitsNothing() async throws {
        let store = try makeStore()
        defer { try? store.close() }
        let account = UUID()
        let home = try store.home(of: account)
        _ = try await store.totalNotes()   // makes the tables
        let schema = try store.placement.state().postgresSchema(of: home)
        let holder = PostgresServer(settings: try TestPostgres.settings())
        defer { holder.close() }
        let blocked = note(account, "blocked")
        try await holder.withConnection(deadline: nil) { connection in
            _ = try await connection.query("BEGIN", logger: holder.logger)
            _ = try await connection.query(PostgresQuery(unsafeSQL: "SELECT one FROM \(schema.writer) FOR UPDATE"), logger: holder.logger)
            let deadline = Date() + 5   // time for a lease on a busy machine; the lock wait then runs it out
            // The server's lock timeout answers before the deadline; on a machine too busy for
            // its answer to come back in time, this side stops waiting at the deadline and says
            // so. Either way nothing was applied (checked below).
            let error = await #expect(throws: StoreError.self) {
                _ = try await store.perform(.createNote(accountId: account, note: blocked), deadline: deadline) { _ in }
            }
            #expect(error == StoreError.deadlinePassed(deadline) || error?.description.contains("before the call's deadline") == true,
                    "\(String(describing: error))")
            _ = try await connection.query("ROLLBACK", logger: holder.logger)
        }
        #expect(try await store.getNote(accountId: account, noteId: blocked.id) == nil)
        try await store.createNote(accountId: account, note: blocked)
        #expect(try await store.getNote(accountId: account, noteId: blocked.id) == blocked)
    }

    /// When one shard's connection is lost, the other shards held in the same call roll back on
    /// their own, live connections: none goes back to the pool holding its shard's lock (or an
    /// open transaction the next call's BEGIN would carry on in).
    @Test func aLostConnectionOnOneShardLeavesNoOtherShardLocked() async throws {
        let store = try makeStore()
        let other = try makeStore()   // another proxy version
        defer { try? store.close(); try? other.close() }
        _ = try await store.totalNotes()   // makes the tables
        let account = UUID()
        try await store.createNote(accountId: account, note: note(account, "before"))
        let home = try store.home(of: account)
        await #expect(throws: ServerUnreachable.self) {
            try await ShardLocks.withWriteLocks(on: [try store.shard(0), try store.shard(1)], deadline: Date() + 30) { held -> Bool in
                try NoteRows.apply(.create(note(account, "never committed")), of: account, in: held[home])
                throw ServerUnreachable(message: "the other shard's connection dropped")
            }
        }
        // With a lock left held these wait until their deadlines and fail; the deadlines are for
        // a busy machine, not a measure.
        let after = note(account, "after")
        _ = try await other.perform(.createNote(accountId: account, note: after), deadline: Date() + 20) { _ in }
        for _ in 0..<3 {   // the store's own pooled connections carry no open transaction either
            let mine = note(account, "mine")
            _ = try await store.perform(.createNote(accountId: account, note: mine), deadline: Date() + 20) { _ in }
        }
        let contents = try await other.listNotes(accountId: account).map(\.content)
        #expect(contents.count == 5 && !contents.contains("never committed"), "\(contents)")
    }

    @Test func aKilledBackendCostsNoCall() async throws {
        let store = try makeStore()
        defer { try? store.close() }
        let account = UUID()
        try await store.createNote(accountId: account, note: note(account, "first"))
        let killer = PostgresServer(settings: try TestPostgres.settings())
        defer { killer.close() }
        // Every pooled connection of the store goes, as an operator's pg_terminate_backend does.
        let name = try store.placement.state().postgresApplicationName
        let killed = try await killer.withConnection(deadline: nil) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)') AS killed
                """), logger: killer.logger).collect().first?.decode(Int.self) ?? 0
        }
        #expect(killed > 0)
        for index in 0..<20 { try await store.createNote(accountId: account, note: note(account, "after \(index)")) }
        #expect(try await store.countNotes(accountId: account) == 21)
    }

    @Test func aServerThatRefusesIsAClearErrorNotAHang() async throws {
        var settings = try TestPostgres.settings()
        settings.port = try closedPort()
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: 2, engineIfNew: .postgres, postgres: settings)
        defer { try? store.close() }
        let started = ContinuousClock.now
        do {
            _ = try await store.perform(.healthCheck, deadline: Date() + 1) { _ in }
            Issue.record("a refused server answered")
        } catch let error as StoreError {
            guard case .unavailable(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("PostgreSQL at 127.0.0.1:\(settings.port)"), "\(message)")
        }
        // Not a timing test: "never a hang" (the lease's cancellation can wait for a connect
        // attempt under way, so a busy machine takes a few seconds).
        #expect(ContinuousClock.now - started < .seconds(120), "a refused server is an error, not a hang")
    }

    /// One connection for 6 concurrent writers: each waits for it within its deadline.
    @Test func aFullPoolMakesCallsWaitTheirTurnNotFail() async throws {
        var settings = try TestPostgres.settings()
        settings.maximumConnections = 1
        let store = try makeStore(settings: settings)
        defer { try? store.close() }
        let accounts = (0..<6).map { _ in UUID() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for account in accounts {
                group.addTask {
                    // A deadline for a busy machine: in process, these calls share the test
                    // run's two-thread pool with every other test (a proxy gives its store a
                    // thread of its own).
                    for index in 0..<5 {
                        _ = try await store.perform(.createNote(accountId: account, note: note(account, "\(index)")), deadline: Date() + 60) { _ in }
                    }
                }
            }
            try await group.waitForAll()
        }
        for account in accounts { #expect(try await store.countNotes(accountId: account) == 5) }
    }

    @Test func cleanDropsTheDataDirsSchemasAndNoOthers() async throws {
        let store = try makeStore()
        let account = UUID()
        try await store.createNote(accountId: account, note: note(account, "x"))
        let schemas = try (0..<2).map { try store.placement.state().postgresSchema(of: $0).name }
        try store.close()
        let neighbour = TemporaryDirectory()
        let other = try ShardedNoteStore(dataDirectory: DataDirectory(path: neighbour.path), shardCountIfNew: 1, engineIfNew: .postgres,
                                         postgres: TestPostgres.settings())
        defer { try? other.close() }
        let otherAccount = UUID()
        try await other.createNote(accountId: otherAccount, note: note(otherAccount, "stays"))

        try await dataDirectory.removeDatabases(postgres: TestPostgres.settings())
        let server = PostgresServer(settings: try TestPostgres.settings())
        defer { server.close() }
        let left = try await server.withConnection(deadline: nil) { connection in
            try await connection.query("SELECT nspname FROM pg_namespace", logger: server.logger).collect().map { try $0.decode(String.self) }
        }
        #expect(schemas.allSatisfy { !left.contains($0) })
        #expect(try await other.countNotes(accountId: otherAccount) == 1)
    }
}
