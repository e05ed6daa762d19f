import Foundation
import Testing
import TestSupport
@testable import Proxy
@testable import Store

/// Moves carried out over the data proxy protocol by real `notely --proxy` children: a proxy
/// `kill -9`ed in the middle of steps, and writers on two proxy versions of a rollout while
/// the account they write moves. The shard files are read straight from SQLite afterwards.
@Suite struct ReshardingProxyTests {
    func note(_ account: UUID, _ content: String) -> Note {
        Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
    }

    @Test func aMoveSurvivesAKill9OfItsProxyAtEveryStep() async throws {
        let harness = ProxyHarness()
        var proxy = try await harness.launch()
        let account = UUID()
        var expected: [UUID: Note] = [:]
        for index in 0..<(ShardedNoteStore.moveBatch * 3 + 50) {
            let created = note(account, "seed \(index)")
            try await proxy.client.createNote(accountId: account, note: created)
            expected[created.id] = created
        }
        let from = try await proxy.client.describePlacement().shard(of: account)
        #expect(try await proxy.client.moveAccount(account, toShard: 1 - from) == (from, 1 - from))

        var round = 0
        while try await proxy.client.describePlacement().hasWork {
            round += 1
            #expect(round < 80, "the move does not progress")
            if round >= 80 { break }
            // Writes between the kills: a new note, and an edit of an old one.
            let created = note(account, "round \(round)")
            try await proxy.client.createNote(accountId: account, note: created)
            expected[created.id] = created
            var edited = try #require(expected.values.min { $0.createdAt < $1.createdAt || ($0.createdAt == $1.createdAt && $0.id.uuidText < $1.id.uuidText) })
            edited.content = "edited in round \(round)"
            edited.updatedAt = max(Note.now(), edited.updatedAt.addingTimeInterval(0.001))
            try await proxy.client.updateNote(accountId: account, note: edited)
            expected[edited.id] = edited
            #expect(Set(try await proxy.client.listNotes(accountId: account)) == Set(expected.values), "round \(round)")

            // A step in flight, and the proxy killed: every other round after the step answered,
            // the rounds between a moment into it (the delay varies, to land inside a step).
            let client = proxy.client
            let step = Task { try? await client.stepPlacement() }
            if round.isMultiple(of: 2) {
                _ = await step.value
            } else {
                try await Task.sleep(for: .microseconds(150 * (round % 12)))
            }
            kill(proxy.pid, SIGKILL)
            _ = await step.value
            #expect(await proxy.exited() == 128 + SIGKILL)
            await proxy.shutdown(logger: harness.logger)
            proxy = try await harness.launch(id: round + 1)
        }
        #expect(Set(try await proxy.client.listNotes(accountId: account)) == Set(expected.values))
        #expect(try await proxy.client.describePlacement().shard(of: account) == 1 - from)
        await proxy.shutdown(logger: harness.logger)

        let files = try ShardFiles(dataDirectory: harness.directory.path + "/data")
        #expect(files.duplicates.isEmpty)
        #expect(files.shards(holding: account.uuidText) == [1 - from])
        #expect(files.notes[1 - from]?.count == expected.count)
    }

    @Test func writersOnTwoProxyVersionsLoseNothingWhileTheirAccountMoves() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(120))
        let controller = harness.controller
        _ = try await controller.deploy()
        let account = UUID()
        for index in 0..<(ShardedNoteStore.moveBatch * 2 + 20) {
            try await controller.createNote(accountId: account, note: note(account, "seed \(index)"))
        }
        _ = try controller.startDeploy()   // v2: both versions serve for the whole test
        #expect(await eventually { controller.snapshot().status == .rolloutWait })
        let from = try await controller.describePlacement().shard(of: account)
        try await controller.moveAccount(account, toShard: 1 - from)

        // Four writers on the moving account, each checking its own notes after every write.
        let stop = Shared(false)
        let writers = (0..<4).map { writer in
            Task { () throws -> [UUID: Note] in
                var mine: [UUID: Note] = [:]
                var round = 0
                while !stop.value {
                    round += 1
                    let created = note(account, "writer \(writer) round \(round)")
                    try await controller.createNote(accountId: account, note: created)
                    mine[created.id] = created
                    if var edited = mine.values.first, round.isMultiple(of: 3) {
                        edited.content += " (edited)"
                        edited.updatedAt = max(Note.now(), edited.updatedAt.addingTimeInterval(0.001))
                        try await controller.updateNote(accountId: account, note: edited)
                        mine[edited.id] = edited
                    }
                    if let gone = mine.values.first, round.isMultiple(of: 5) {
                        try await controller.deleteNote(accountId: account, note: gone)
                        mine[gone.id] = nil
                        if try await controller.getNote(accountId: account, noteId: gone.id) != nil {
                            throw TestSetupError("deleted note \(gone.id) came back")
                        }
                    }
                    for kept in mine.values where try await controller.getNote(accountId: account, noteId: kept.id) != kept {
                        throw TestSetupError("writer \(writer) read a stale or missing note \(kept.id)")
                    }
                }
                return mine
            }
        }
        var steps = 0
        while try await controller.stepPlacement().hasWork { steps += 1 }
        #expect(steps >= 3, "the move took \(steps) steps")
        let writesPerVersion = harness.stats.collectProxyStats().mapValues { $0["noteCreateRequests"]?.totalRequests ?? 0 }
        #expect(writesPerVersion[1] ?? 0 > 0 && writesPerVersion[2] ?? 0 > 0, "both versions took writes: \(writesPerVersion)")
        stop.update { $0 = true }
        var written: [UUID: Note] = [:]
        for writer in writers {
            do {
                written.merge(try await writer.value) { first, _ in first }
            } catch {
                Issue.record("\(error)")
            }
        }
        let listed = try await controller.listNotes(accountId: account)
        #expect(Set(listed.map(\.id)).count == listed.count)
        for note in written.values { #expect(listed.contains(note), "note \(note.id) lost or stale") }
        #expect(try await controller.describePlacement().shard(of: account) == 1 - from)
        await controller.shutdown()
        let files = try ShardFiles(dataDirectory: harness.directory.path + "/data")
        #expect(files.duplicates.isEmpty)
        #expect(files.shards(holding: account.uuidText) == [1 - from])
    }

    /// Crossing moves (0 → 1 and 1 → 0, as a growth 2 → 3 queues) through both versions of a
    /// rollout, with writers on both accounts: every call goes to either version at random, so
    /// two proxies write on opposite moving accounts at once. With one lock order none waits
    /// on the other; without it they hold each other's shard until SQLite's busy timeout.
    @Test func crossingMovesThroughTwoProxyVersionsNeverWaitOnEachOther() async throws {
        let harness = try DeploymentHarness(rolloutWait: .seconds(120))
        let controller = harness.controller
        _ = try await controller.deploy()
        func account(on shard: Int) -> UUID {
            while true {
                let id = UUID()
                if ShardRouter(shardCount: 2).shard(for: id) == shard { return id }
            }
        }
        let accounts = [account(on: 0), account(on: 1)]
        for account in accounts {
            for index in 0..<(ShardedNoteStore.moveBatch * 2 + 20) {
                try await controller.createNote(accountId: account, note: note(account, "seed \(index)"))
            }
        }
        _ = try controller.startDeploy()
        #expect(await eventually { controller.snapshot().status == .rolloutWait })

        let stop = Shared(false)
        let writers = (0..<6).map { writer in
            Task { () throws -> (notes: [Note], longest: Duration) in
                var mine: [Note] = []
                var longest = Duration.zero
                var round = 0
                while !stop.value {
                    round += 1
                    let account = accounts[(writer + round) % 2]
                    let created = note(account, "writer \(writer) round \(round)")
                    var start = ContinuousClock.now
                    try await controller.createNote(accountId: account, note: created)
                    longest = max(longest, ContinuousClock.now - start)
                    let edited = created.edited(content: created.content + " (edited)")
                    start = ContinuousClock.now
                    try await controller.updateNote(accountId: account, note: edited)
                    longest = max(longest, ContinuousClock.now - start)
                    mine.append(edited)
                }
                return (mine, longest)
            }
        }
        var longestStep = Duration.zero
        for crossing in 1...4 {   // the moves cross four times, and the accounts end where they began
            try await controller.moveAccount(accounts[0], toShard: crossing % 2)
            try await controller.moveAccount(accounts[1], toShard: 1 - crossing % 2)
            while true {
                let start = ContinuousClock.now
                let placement = try await controller.stepPlacement()
                longestStep = max(longestStep, ContinuousClock.now - start)
                if !placement.hasWork { break }
            }
        }
        stop.update { $0 = true }
        #expect(longestStep < .seconds(2), "a step took \(longestStep)")
        var written: [Note] = []
        for writer in writers {
            do {
                let (notes, longest) = try await writer.value
                written += notes
                #expect(longest < .seconds(2), "a write took \(longest)")
            } catch {
                Issue.record("\(error)")
            }
        }
        let writesPerVersion = harness.stats.collectProxyStats().mapValues { $0["noteCreateRequests"]?.totalRequests ?? 0 }
        #expect(writesPerVersion[1] ?? 0 > 0 && writesPerVersion[2] ?? 0 > 0, "both versions took writes: \(writesPerVersion)")
        var listed: [Note] = []
        for account in accounts { listed += try await controller.listNotes(accountId: account) }
        for note in written { #expect(listed.contains(note), "note \(note.id) lost or stale") }
        #expect(try await controller.describePlacement().shard(of: accounts[0]) == 0)
        #expect(try await controller.describePlacement().shard(of: accounts[1]) == 1)
        await controller.shutdown()
        let files = try ShardFiles(dataDirectory: harness.directory.path + "/data")
        #expect(files.duplicates.isEmpty)
        #expect(files.shards(holding: accounts[0].uuidText) == [0])
        #expect(files.shards(holding: accounts[1].uuidText) == [1])
    }
}
