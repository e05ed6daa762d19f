import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Store

/// The live migration as a user runs it (docs/RESHARDING.md, "Changing the shard set"): a real
/// `notely --headless` on SQLite with a PostgreSQL server of the test's own, independent REST
/// clients doing read-your-writes, every note moved to PostgreSQL and back — with a `kill -9`
/// of the serving proxy, a rollout and a server restart in the middle, or `notely` itself
/// killed twice. Afterwards the SQLite files and the server's schemas are read directly.
@Suite(.serialized) struct MigrationEndToEndTests {
    /// `accounts` accounts with `notes` notes each, written a client per account at once;
    /// answers each note's id (upper case, as stored) with its account's.
    func seed(_ notely: HeadlessProcess, accounts: Int, notes: Int) async throws -> [String: String] {
        try await withThrowingTaskGroup(of: [String: String].self) { group in
            for index in 0..<accounts {
                group.addTask {
                    let created = try await notely.request(.POST, "/accounts", body: #"{"name":"seed-\#(index)"}"#)
                    let account = try require(created.json["id"] as? String, "account id")
                    var written: [String: String] = [:]
                    for note in 0..<notes {
                        let made = try await notely.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"seed \#(note) ✓"}"#)
                        written[try require(made.json["id"] as? String, "note id").uppercased()] = account.uppercased()
                    }
                    return written
                }
            }
            return try await group.reduce(into: [:]) { $0.merge($1) { first, _ in first } }
        }
    }

    func placement(_ notely: HeadlessProcess) async throws -> [String: Any] {
        try require(try await notely.request(.GET, "/stats").json["placement"] as? [String: Any], "placement")
    }

    /// Asks for the migration and answers once it is under way (202, the shards it adds).
    func migrate(_ notely: HeadlessProcess, to engine: String) async throws {
        let started = try await notely.request(.POST, "/migrate", body: #"{"engine":"\#(engine)"}"#)
        #expect(started.status == 202 && started.json["to"] as? String == engine, "\(started.text)")
    }

    /// Waits until no change of the shard set runs, every active shard is on `engine`, and
    /// every retired shard's storage is dropped.
    func waitForMigration(_ notely: HeadlessProcess, to engine: String) async -> Bool {
        await eventually(timeout: .seconds(180)) {
            guard let placement = try? await placement(notely), placement["migration"] is NSNull,
                  placement["resharding"] is NSNull, let engines = placement["engines"] as? [String: String],
                  let shards = placement["shards"] as? [String: [String: Any]] else { return false }
            let retiredAndDropped = shards.values.allSatisfy { $0["state"] as? String != "retired" || $0["dropped"] as? Bool == true }
            return !engines.isEmpty && engines.values.allSatisfy { $0 == engine } && retiredAndDropped
        }
    }

    /// The server's schemas of the data dir (`notely_<tag>_shard_N`), by shard index.
    func schemas(_ dataDir: String, url: String) async throws -> [Int: Int] {
        let state = try PlacementDatabase(url: DataDirectory(path: dataDir).placementURL, durability: .default,
                                          initialShardCount: 1, initialEngine: .sqlite).state()
        let prefix = state.postgresSchema(of: 0).name.dropLast("0".count)
        let server = PostgresServer(settings: try PostgresSettings(url: url))
        defer { server.close() }
        return try await server.retrying(deadline: Date() + 10) { connection in
            let rows = PostgresRows(connection: connection, schema: state.postgresSchema(of: 0), server: "test", logger: server.logger,
                                    until: Date() + 10)
            var found: [Int: Int] = [:]
            for row in try rows.rows("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", "\(prefix)%") {
                let name = try row.decode(String.self)
                guard let index = Int(name.dropFirst(prefix.count)) else { continue }
                let count = try rows.rows("SELECT count(*) FROM \"\(name)\".note").first?.decode(Int64.self) ?? 0
                found[index] = Int(count)
            }
            return found
        }
    }

    /// SQLite → PostgreSQL → SQLite under load, with a `kill -9` of the serving proxy, a rollout
    /// and a server restart while the notes move to PostgreSQL: no request fails or reads a
    /// stale note, every acknowledged note is there once, and the retired shards are gone —
    /// their files, and their schemas on the server.
    @Test func sqliteToPostgresAndBackUnderLoadThroughAKillARolloutAndAServerRestart() async throws {
        let cluster = try PrivatePostgresCluster()
        let directory = TemporaryDirectory("notely-migrate")
        let dataDir = directory.path + "/.notely"
        // At most 50 notes a step, so the faults land while the notes move.
        let notely = try await HeadlessProcess(arguments: ["--no-load", "--rollout-wait", "2", "--move-batch", "50", "--postgres", cluster.url],
                                               in: directory)
        let seeded = try await seed(notely, accounts: 8, notes: 100)
        let load = RESTLoad(baseURL: notely.baseURL)
        #expect(await eventually { load.successes >= 100 }, "the load never got going: \(load.failures.prefix(3))")

        try await migrate(notely, to: "postgres")
        let victim = try await notely.currentProxyPid()
        kill(victim, SIGKILL)
        #expect(try await placement(notely)["migration"] as? [String: Any] != nil, "the kill landed after the migration ended")
        let again = try await notely.request(.POST, "/migrate", body: #"{"engine":"sqlite"}"#)
        #expect(again.status == 409, "a second change while one runs: \(again.text)")
        #expect(try await notely.request(.POST, "/deploy").status == 202)
        try cluster.restart()
        #expect(await waitForMigration(notely, to: "postgres"), "the migration to PostgreSQL never finished: \(notely.log.suffix(3000))")
        let onPostgres = try await placement(notely)
        #expect((onPostgres["verified"] as? Int ?? 0) >= 8 && onPostgres["recopied"] as? Int == 0, "\(onPostgres)")

        try await migrate(notely, to: "sqlite")
        #expect(await waitForMigration(notely, to: "sqlite"), "the migration back never finished: \(notely.log.suffix(3000))")

        try await load.stopAndExpectNothingLost(in: notely)
        let shards = try require(try await placement(notely)["shards"] as? [String: [String: Any]])
        #expect(shards.filter { $0.value["state"] as? String == "retired" }.count == 4, "\(shards)")
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0, "\(notely.log.suffix(2000))")

        let files = try ShardFiles(dataDirectory: dataDir)
        #expect(files.notes.keys.sorted() == [4, 5], "only the active shards' files are left")
        #expect(files.duplicates.isEmpty, "notes on two shards: \(files.duplicates.prefix(5))")
        #expect(Set(seeded.keys).isSubset(of: files.allIds), "a seeded note is on no shard")
        for id in load.acknowledged.keys { #expect(files.allIds.contains(id.uppercased()), "acknowledged note \(id) on no shard") }
        #expect(try await schemas(dataDir, url: cluster.url).isEmpty, "the retired PostgreSQL shards' schemas are dropped")

        let restarted = try await HeadlessProcess(arguments: ["--no-load", "--postgres", cluster.url], in: directory)
        #expect(try await placement(restarted)["shardCount"] as? Int == 2, "the data dir opens as it was left")
        kill(restarted.process.processIdentifier, SIGTERM)
        #expect(await restarted.waitForExit() == 0)
        cluster.stop()
    }

    /// `notely` killed (`kill -9`, its proxies die with it) twice while the notes move to
    /// PostgreSQL; each start goes on where the last stopped, and the notes end on the server,
    /// each once, none left on SQLite.
    @Test func aMigrationThroughTwoKillsOfNotelyFinishesAndLosesNothing() async throws {
        let url = try TestPostgres.url()
        let directory = TemporaryDirectory("notely-migrate-kill")
        let dataDir = directory.path + "/.notely"
        // 20 notes a step: the migration takes long enough to be killed in twice.
        let arguments = ["--no-load", "--move-batch", "20", "--postgres", url]
        var notely = try await HeadlessProcess(arguments: arguments, in: directory)
        let seeded = try await seed(notely, accounts: 16, notes: 120)
        try await migrate(notely, to: "postgres")
        var kills = 0
        for _ in 0..<2 {
            // Once some of the notes have moved, and before all have.
            let moving = await eventually(timeout: .seconds(60)) {
                guard let migration = try? await placement(notely)["migration"] as? [String: Any],
                      let left = migration["notesLeft"] as? Int else { return true }
                return left < seeded.count * (2 - kills) / 3
            }
            #expect(moving)
            guard try await placement(notely)["migration"] as? [String: Any] != nil else { break }
            kill(notely.process.processIdentifier, SIGKILL)
            _ = await notely.waitForExit()
            kills += 1
            notely = try await HeadlessProcess(arguments: arguments, in: directory)
        }
        #expect(kills >= 1, "the migration ended before notely could be killed in it")
        #expect(await waitForMigration(notely, to: "postgres"), "the migration never finished: \(notely.log.suffix(3000))")
        let accounts = try require(try await notely.request(.GET, "/accounts").json as? [[String: Any]])
        var listed = 0
        for account in accounts {
            let id = try require(account["id"] as? String)
            listed += (try await notely.request(.GET, "/accounts/\(id)/notes").json as? [[String: Any]])?.count ?? 0
        }
        #expect(listed == seeded.count)
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0, "\(notely.log.suffix(2000))")
        #expect(try ShardFiles(dataDirectory: dataDir).notes.isEmpty, "no SQLite shard file is left")
        let onServer = try await schemas(dataDir, url: url)
        #expect(onServer.count == 2 && onServer.values.reduce(0, +) == seeded.count, "\(onServer)")
    }

    /// One shard drained under load: its accounts move off, it retires, its file goes.
    @Test func drainingAShardUnderLoadRetiresItAndCostsNoRequest() async throws {
        try await FaultTests().underLoad(["--shards", "3"]) { notely, _ in
            let refused = try await notely.request(.POST, "/shards/7/drain")
            #expect(refused.status == 400, "\(refused.text)")
            let drained = try await notely.request(.POST, "/shards/1/drain")
            #expect(drained.status == 202 && drained.json["from"] as? Int == 3 && drained.json["to"] as? Int == 2, "\(drained.text)")
            #expect(await eventually(timeout: .seconds(60)) {
                guard let placement = try? await placement(notely) else { return false }
                let shard = (placement["shards"] as? [String: [String: Any]])?["shard-1"]
                return placement["resharding"] is NSNull && shard?["state"] as? String == "retired" && shard?["dropped"] as? Bool == true
            })
            let accounts = try require(try await notely.request(.GET, "/accounts").json as? [[String: Any]])
            #expect(accounts.allSatisfy { $0["shard"] as? Int != 1 })
            #expect(!FileManager.default.fileExists(atPath: notely.process.currentDirectoryURL!.path + "/.notely/shard-1.sqlite"))
        }
    }
}
