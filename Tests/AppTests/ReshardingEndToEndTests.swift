import Foundation
import Testing
import TestSupport
@testable import Store

/// Live re-sharding as a user runs it: `notely --headless` as a real process, independent REST
/// clients doing read-your-writes, the shard count grown 2 → 4 with a rollout and a `kill -9`
/// of the serving proxy in the middle, and `notely` itself killed in the middle of a move.
/// Afterwards the shard files are read straight from SQLite: every note on exactly one shard.
@Suite(.serialized) struct ReshardingEndToEndTests {
    /// `perShard` accounts for each shard of `shards` (by their hash placement, so every shard
    /// of a grown data dir gets notes) with `notes` notes each, written by one client per
    /// account at once; answers each note's id with its account's.
    func seed(_ notely: HeadlessProcess, perShard: Int, of shards: Int, notes: Int) async throws -> [String: String] {
        var ids: [String] = []
        var picked = Array(repeating: 0, count: shards)
        while picked.contains(where: { $0 < perShard }) {
            let created = try await notely.request(.POST, "/accounts", body: #"{"name":"big-\#(ids.count)"}"#)
            let id = try require(created.json["id"] as? String, "account id")
            let shard = ShardRouter(shardCount: shards).shard(for: try require(UUIDText.parse(id)))
            guard picked[shard] < perShard else { continue }
            picked[shard] += 1
            ids.append(id)
        }
        return try await withThrowingTaskGroup(of: [String: String].self) { group in
            for account in ids {
                group.addTask {
                    var written: [String: String] = [:]
                    for index in 0..<notes {
                        let note = try await notely.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"seed \#(index)"}"#)
                        written[try require(note.json["id"] as? String, "note id")] = account
                    }
                    return written
                }
            }
            return try await group.reduce(into: [:]) { $0.merge($1) { first, _ in first } }
        }
    }

    /// The shard files, read straight from SQLite after `notely` stopped: `shards` of them, no
    /// note on two, every seeded note on one, every account on one.
    func expectEveryNoteOnOneShard(_ dataDir: String, shards: Int, seeded: [String: String], accounts: Set<String>) throws {
        let files = try ShardFiles(dataDirectory: dataDir)
        #expect(files.notes.count == shards)
        #expect(files.duplicates.isEmpty, "notes on two shards: \(files.duplicates.prefix(5))")
        #expect(Set(seeded.keys.map { $0.uppercased() }).isSubset(of: files.allIds), "a seeded note is on no shard")
        for account in accounts {
            #expect(files.shards(holding: account).count == 1, "account \(account) on shards \(files.shards(holding: account))")
        }
    }

    func placement(_ notely: HeadlessProcess) async throws -> [String: Any] {
        try require(try await notely.request(.GET, "/stats").json["placement"] as? [String: Any], "placement")
    }

    @Test func growingUnderLoadThroughARolloutAndAProxyKillLosesNothing() async throws {
        let directory = TemporaryDirectory("notely-reshard")
        let dataDir = directory.path + "/.notely"
        let notely = try await HeadlessProcess(arguments: ["--no-load", "--rollout-wait", "2"], in: directory)
        let seeded = try await seed(notely, perShard: 2, of: 4, notes: 250)
        let load = RESTLoad(baseURL: notely.baseURL)
        #expect(await eventually { load.successes >= 100 }, "the load never got going: \(load.failures.prefix(3))")

        let grow = try await notely.request(.POST, "/shards", body: #"{"count":4}"#)
        #expect(grow.status == 202 && grow.json["from"] as? Int == 2 && grow.json["to"] as? Int == 4, "\(grow.text)")
        let victim = try await notely.currentProxyPid()
        kill(victim, SIGKILL)
        let again = try await notely.request(.POST, "/shards", body: #"{"count":5}"#)
        #expect(again.status == 409, "a second growth while one runs: \(again.text)")
        #expect(try await placement(notely)["resharding"] as? [String: Any] != nil, "the kill landed after the growth ended")
        #expect(try await notely.request(.POST, "/deploy").status == 202)
        #expect(await eventually(timeout: .seconds(60)) { (try? await placement(notely)["resharding"]).map { $0 is NSNull } == true },
                "the growth never finished: \(notely.log.suffix(2000))")

        try await load.stopAndExpectNothingLost(in: notely)
        let stats = try await notely.request(.GET, "/stats").json
        #expect(stats["deployment"]["restarts"] as? Int == 1 && (stats["deployment"]["deploys"] as? Int ?? 0) >= 2)
        let grown = try await placement(notely)
        let notesPerShard = try require(grown["notesPerShard"] as? [String: Int])
        #expect(grown["shardCount"] as? Int == 4 && notesPerShard.count == 4 && notesPerShard.values.allSatisfy { $0 > 0 }, "\(grown)")
        let accounts = try require(try await notely.request(.GET, "/accounts").json as? [[String: Any]])
        for account in accounts {
            let id = try require(account["id"] as? String)
            #expect(account["shard"] as? Int == ShardRouter(shardCount: 4).shard(for: try require(UUIDText.parse(id))), "\(account)")
            #expect(account["moving"] is NSNull)
        }
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0, "\(notely.log.suffix(2000))")

        try expectEveryNoteOnOneShard(dataDir, shards: 4, seeded: seeded, accounts: Set(seeded.values))

        let restarted = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        #expect(try await placement(restarted)["shardCount"] as? Int == 4, "the count is kept across a restart")
        kill(restarted.process.processIdentifier, SIGTERM)
        #expect(await restarted.waitForExit() == 0)
    }

    /// The run a user hit: a deploy held in ROLLOUT_WAIT, and under 16 REST clients a growth
    /// 2 → 3 (its moves cross: 0 → 1 and 1 → 0), two moves by hand in opposite directions, and
    /// a growth 3 → 5. Without one lock order the two versions' writes wait on each other until
    /// SQLite's busy timeout: requests fail with 503 and the growth never finishes.
    @Test func crossingMovesDuringARolloutUnderHeavyWritesFinishWithNothingFailedOrSlow() async throws {
        let directory = TemporaryDirectory("notely-cross")
        let dataDir = directory.path + "/.notely"
        let notely = try await HeadlessProcess(arguments: ["--no-load", "--rollout-wait", "600"], in: directory)
        let seeded = try await seed(notely, perShard: 2, of: 5, notes: 60)
        let load = RESTLoad(baseURL: notely.baseURL, clients: 16)
        #expect(await eventually { load.successes >= 200 }, "the load never got going: \(load.failures.prefix(3))")
        #expect(try await notely.request(.POST, "/deploy").status == 202)
        #expect(await eventually(timeout: .seconds(30)) {
            (try? await notely.request(.GET, "/stats").json["deployment"]["status"] as? String) == "ROLLOUT_WAIT"
        })

        func settled() async -> Bool {
            guard let placement = try? await placement(notely) else { return false }
            return placement["resharding"] is NSNull && (placement["moving"] as? [Any])?.isEmpty == true
        }
        let grow = try await notely.request(.POST, "/shards", body: #"{"count":3}"#)
        #expect(grow.status == 202, "\(grow.text)")
        #expect(await eventually(timeout: .seconds(120)) { await settled() }, "the growth 2 → 3 never finished: \(notely.log.suffix(2000))")

        let accounts = try require(try await notely.request(.GET, "/accounts").json as? [[String: Any]])
        let onZero = try require(accounts.first { $0["shard"] as? Int == 0 }?["id"] as? String)
        let onOne = try require(accounts.first { $0["shard"] as? Int == 1 }?["id"] as? String)
        #expect(try await notely.request(.POST, "/accounts/\(onZero)/move", body: #"{"shard":1}"#).status == 202)
        #expect(try await notely.request(.POST, "/accounts/\(onOne)/move", body: #"{"shard":0}"#).status == 202)
        #expect(await eventually(timeout: .seconds(60)) { await settled() }, "the moves by hand never finished")

        let growMore = try await notely.request(.POST, "/shards", body: #"{"count":5}"#)
        #expect(growMore.status == 202, "\(growMore.text)")
        #expect(await eventually(timeout: .seconds(120)) { await settled() }, "the growth 3 → 5 never finished: \(notely.log.suffix(2000))")
        let before = load.successes
        #expect(await eventually(timeout: .seconds(20)) { load.successes >= before + 200 }, "traffic did not go on")
        #expect(try await notely.request(.GET, "/stats").json["deployment"]["status"] as? String == "ROLLOUT_WAIT",
                "both versions served throughout")
        await load.stop()

        #expect(load.failures.isEmpty, "\(load.failures.count) failed: \(load.failures.prefix(5))")
        #expect(load.mismatches.isEmpty, "\(load.mismatches.prefix(5))")
        #expect(load.longestCall < .seconds(2), "a request took \(load.longestCall)")
        try await load.expectEveryAcknowledgedNote(in: notely)
        for account in try require(try await notely.request(.GET, "/accounts").json as? [[String: Any]]) {
            let id = try require(account["id"] as? String)
            #expect(account["shard"] as? Int == ShardRouter(shardCount: 5).shard(for: try require(UUIDText.parse(id))), "\(account)")
        }
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0, "\(notely.log.suffix(2000))")

        try expectEveryNoteOnOneShard(dataDir, shards: 5, seeded: seeded,
                                      accounts: Set(seeded.values).union(load.acknowledged.values.map(\.account)))
    }

    @Test func aMoveInterruptedByKillingNotelyFinishesAfterARestart() async throws {
        let directory = TemporaryDirectory("notely-move-kill")
        let dataDir = directory.path + "/.notely"
        // 5 notes a copy step (50 a clean-up step): a move of 800 takes 160 + 16 steps, so each
        // phase lasts long enough to see and kill in, also on a busy machine.
        let arguments = ["--no-load", "--move-batch", "5"]
        var notely = try await HeadlessProcess(arguments: arguments, in: directory)
        let seeded = try await seed(notely, perShard: 1, of: 1, notes: 800)
        let account = try require(seeded.values.first)
        let from = try require(try await notely.request(.GET, "/accounts/\(account)").json["shard"] as? Int)

        // 404, 400, 409 before the real move; then 202.
        #expect(try await notely.request(.POST, "/accounts/\(UUID().uuidText)/move", body: #"{"shard":1}"#).status == 404)
        #expect(try await notely.request(.POST, "/accounts/\(account)/move", body: #"{"shard":7}"#).status == 400)
        #expect(try await notely.request(.POST, "/accounts/\(account)/move", body: #"{"shard":\#(from)}"#).status == 409)
        let move = try await notely.request(.POST, "/accounts/\(account)/move", body: #"{"shard":\#(1 - from)}"#)
        #expect(move.status == 202 && move.json["from"] as? Int == from && move.json["to"] as? Int == 1 - from, "\(move.text)")
        #expect(try await notely.request(.POST, "/accounts/\(account)/move", body: #"{"shard":\#(1 - from)}"#).status == 409)

        // Killed while copying, and again once the account serves from its new shard.
        for phase in ["copying", "cleaning up"] {
            #expect(await eventually(timeout: .seconds(30)) {
                guard let moving = try? await notely.request(.GET, "/accounts/\(account)").json["moving"] as? [String: Any],
                      let copied = moving["copied"] as? Int, let total = moving["total"] as? Int else { return false }
                return phase == "copying" ? copied > 0 && copied < total : copied == total
            }, "the move never reached \(phase)")
            kill(notely.process.processIdentifier, SIGKILL)
            #expect(await notely.waitForExit() == SIGKILL)
            let files = try ShardFiles(dataDirectory: dataDir)
            #expect(Set(seeded.keys.map { $0.uppercased() }).isSubset(of: files.allIds), "killed while \(phase): a note is on no shard")
            notely = try await HeadlessProcess(arguments: arguments, in: directory)
            let notes = try require(try await notely.request(.GET, "/accounts/\(account)/notes").json as? [[String: Any]])
            #expect(Set(notes.compactMap { $0["id"] as? String }) == Set(seeded.keys), "after a kill while \(phase)")
        }
        #expect(await eventually(timeout: .seconds(30)) {
            (try? await notely.request(.GET, "/accounts/\(account)").json["moving"]).map { $0 is NSNull } == true
        })
        #expect(try await notely.request(.GET, "/accounts/\(account)").json["shard"] as? Int == 1 - from)
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0)
        let files = try ShardFiles(dataDirectory: dataDir)
        #expect(files.duplicates.isEmpty)
        #expect(files.shards(holding: account) == [1 - from])
        #expect(files.notes[1 - from]?.count == 800)
    }
}
