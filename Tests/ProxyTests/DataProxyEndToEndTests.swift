import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Proxy
@testable import Store
@testable import Telemetry

/// The proxy as its parent uses it: a real child process, spoken to through `ProxyClient`.
@Suite(.serialized) struct DataProxyEndToEndTests {
    func note(_ account: UUID, _ content: String = "hello") -> Note {
        Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
    }

    @Test func crudThroughTheClientWithTypedErrors() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch()
        let client = proxy.client
        let account = UUID()
        let first = note(account, "first ✓")
        try await client.createNote(accountId: account, note: first)
        #expect(try await client.getNote(accountId: account, noteId: first.id) == first)
        #expect(try await client.getNote(accountId: account, noteId: UUID()) == nil)
        #expect(try await client.listNotes(accountId: account) == [first])
        #expect(try await client.countNotes(accountId: account) == 1)
        #expect(try await client.totalNotes() == 1)

        let edited = first.edited(content: "edited")
        try await client.updateNote(accountId: account, note: edited)
        #expect(try await client.getNote(accountId: account, noteId: first.id)?.content == "edited")

        let ghost = note(account)
        await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await client.updateNote(accountId: account, note: ghost) }
        await #expect(throws: StoreError.noteNotFound(ghost.id)) { try await client.deleteNote(accountId: account, note: ghost) }
        var another = first
        another.createdAt = first.createdAt.addingTimeInterval(1)
        await #expect(throws: StoreError.noteAlreadyExists(first.id)) { try await client.createNote(accountId: account, note: another) }
        let huge = note(account, String(repeating: "x", count: StoreLimits.maxContentBytes + 1))
        await #expect(throws: StoreError.contentTooLarge(bytes: StoreLimits.maxContentBytes + 1, limit: StoreLimits.maxContentBytes)) {
            try await client.createNote(accountId: account, note: huge)
        }
        try await client.deleteNote(accountId: account, note: edited)
        #expect(try await client.countNotes(accountId: account) == 0)
        try await client.healthCheck()
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func readyAndShardStatsDescribeTheProxy() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch(id: 7)
        let info = try await proxy.client.ready()
        #expect(info.ready && info.proxyId == 7 && info.pid == Int(proxy.pid))
        #expect(info.shards == ["shard-0", "shard-1"])
        #expect(proxy.secondsToReady > 0 && proxy.secondsToReady < 10)

        let account = UUID()
        let shard = ShardRouter(shardCount: 2).shard(for: account)
        try await proxy.client.createNote(accountId: account, note: note(account))
        _ = try await proxy.client.listNotes(accountId: account)
        _ = try await proxy.client.listNotes(accountId: account)
        let stats = try await proxy.client.exportShardStats()
        #expect(stats.noteCreateRequests["shard-\(shard)"]?.totalRequests == 1)
        #expect(stats.noteListRequests["shard-\(shard)"]?.totalRequests == 2)
        #expect(stats.noteListRequests["shard-\(1 - shard)"]?.totalRequests == 0)
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func concurrentWritersThroughOneProxyLoseNothing() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch()
        let account = UUID()
        let client = proxy.client
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<25 {
                        let created = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "\(worker)-\(index)")
                        try await client.createNote(accountId: account, note: created)
                        try await client.updateNote(accountId: account, note: created.edited(content: created.content + " edited"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let notes = try await client.listNotes(accountId: account)
        #expect(notes.count == 200)
        #expect(notes.allSatisfy { $0.content.hasSuffix(" edited") })
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func twoProxiesOnOneDataDirLoseNothing() async throws {
        let harness = ProxyHarness()
        let first = try await harness.launch(id: 1)
        let second = try await harness.launch(id: 2)
        let account = UUID()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for proxy in [first, second] {
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            try await proxy.client.createNote(accountId: account, note: Note(
                                creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "v\(proxy.id)"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.client.countNotes(accountId: account) == 200)
        #expect(try await second.client.listNotes(accountId: account).count == 200)
        await first.shutdown(logger: harness.logger)
        await second.shutdown(logger: harness.logger)
    }

    @Test func requestsWithoutTheTokenAreRefused() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch()
        let ready = #"{"jsonrpc":"2.0","id":1,"method":"Ready"}"#
        let missing = try await rawPost(port: proxy.port, json: ready)
        #expect(missing.status == 401)
        #expect(missing.body.contains("Unauthorized"))
        let wrong = try await rawPost(port: proxy.port, json: ready,
                                      headers: [("Content-Type", "application/json"), ("Authorization", "Bearer nope")])
        #expect(wrong.status == 401)
        #expect(try await proxy.client.ready().proxyId == 1)
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func oversizedBodiesAreRefusedAndTheProxyKeepsServing() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch()
        let token = proxy.token
        let auth = [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")]
        let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: StoreLimits.maxRequestBodyBytes + 1)
        let refused = try await rawPost(port: proxy.port, body: huge, headers: auth)
        #expect(refused.status == 413)
        #expect(refused.body.contains("larger than"))
        let garbage = try await rawPost(port: proxy.port, json: "{not json", headers: auth)
        #expect(garbage.status == 200 && garbage.body.contains("-32700"))
        let notification = try await rawPost(port: proxy.port, json: #"{"jsonrpc":"2.0","method":"HealthCheck"}"#, headers: auth)
        #expect(notification.status == 204)
        let wrongType = try await rawPost(port: proxy.port, json: "{}", headers: [("Content-Type", "text/plain"), ("Authorization", "Bearer \(token)")])
        #expect(wrongType.status == 415)
        let almostJSON = try await rawPost(port: proxy.port, json: "{}", headers: [("Content-Type", "application/jso"), ("Authorization", "Bearer \(token)")])
        #expect(almostJSON.status == 415)
        let anyCase = try await rawPost(port: proxy.port, json: #"{"jsonrpc":"2.0","id":1,"method":"Ready"}"#,
                                        headers: [("Content-Type", "Application/JSON; charset=utf-8"), ("Authorization", "Bearer \(token)")])
        #expect(anyCase.status == 200 && anyCase.body.contains(#""ready":true"#))
        #expect(try await proxy.client.ready().ready)
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func aCallPastItsDeadlineIsRefusedUnapplied() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch()
        let account = UUID()
        let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "too late")
        var writer = JSONWriter()
        writer.raw(#"{"jsonrpc":"2.0","id":1,"method":"CreateNote","params":"#)
        NoteStoreCall.createNote(accountId: account, note: note).writeParams(into: &writer)
        writer.raw("}")
        let past = CallDeadline.headerValue(Date().addingTimeInterval(-1))
        let answer = try await rawPost(port: proxy.port, body: ByteBuffer(bytes: writer.bytes), headers: [
            ("Content-Type", "application/json"), ("Authorization", "Bearer \(proxy.token)"), (CallDeadline.header, past)])
        #expect(answer.status == 200 && answer.body.contains("-32008") && answer.body.contains("not applied"), "\(answer.body)")
        #expect(try await proxy.client.getNote(accountId: account, noteId: note.id) == nil)
        try await proxy.client.perform(.createNote(accountId: account, note: note), deadline: Date().addingTimeInterval(5)).done()
        #expect(try await proxy.client.getNote(accountId: account, noteId: note.id) == note, "a call within its deadline runs")
        await proxy.shutdown(logger: harness.logger)
    }

    @Test func sigtermStopsTheProxyWithStatusZeroAndItsOutputIsCaptured() async throws {
        let harness = ProxyHarness()
        let proxy = try await harness.launch(id: 3)
        await proxy.shutdown(logger: harness.logger)
        #expect(proxy.exitStatus == 0)
        #expect(!processIsAlive(proxy.pid))
        let captured = harness.logs.lines().map(\.text)
        #expect(captured.contains { $0.hasPrefix("[v3] ") && $0.contains("serving") })
        #expect(await eventually { harness.logs.lines().contains { $0.text.hasPrefix("[v3] ") && $0.text.contains("stopped") } })
    }

    @Test func aProxyThatCannotStartFailsFastWithAReason() async throws {
        let harness = ProxyHarness()
        // The data dir's path is taken by a file: the child exits at once.
        #expect(FileManager.default.createFile(atPath: harness.directory.path + "/data", contents: Data("not a folder".utf8)))
        let started = ContinuousClock.now
        await #expect(throws: ProxyLaunchError.self) { _ = try await harness.launch() }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aDeadProxyIsReportedAsNotSent() async throws {
        let client = ProxyClient(id: 9, address: "127.0.0.1:\(try freePort())")
        do {
            _ = try await client.ready()
            Issue.record("a call to a closed port succeeded")
        } catch let error as ProxyClientError {
            #expect(error.isNotSent, "\(error)")
        }
        await client.shutdown()
    }
}
