import Foundation
import Proxy
import Store

extension Benchmarks {
    /// The live migration on a data dir of `migrateNotes` notes: SQLite → PostgreSQL, then back,
    /// each under a steady load of the op mix at `migrateLoadPerSecond` calls a second (ten times
    /// the dashboard's built-in load), paced as the service paces it (`MovePacer`). Notes moved
    /// per second, and the load's p99 before and during each leg.
    func measureMigrate() async throws -> BenchFigures.Migrate {
        guard postgresURL != nil else { throw BenchRunError("the migrate run needs a PostgreSQL server: give --postgres URL") }
        let accounts = max(1, migrateNotes / Self.migrateNotesPerAccount)
        try await seed(directory.appendingPathComponent("migrate"), accounts: accounts, notesEach: Self.migrateNotesPerAccount)
        let controller = try await startController("migrate")
        var legs: [BenchFigures.Migrate.Leg] = []
        let (recorder, load) = try await steadyWindow(through: controller, paced: .seconds(Double(clients) / Self.migrateLoadPerSecond))
        var before = "steady"
        for engine in [ShardEngine.postgres, .sqlite] {
            let notes = try await controller.describePlacement().notesPerShard.reduce(0, +)
            recorder.setPhase(engine.rawValue)
            let started = ContinuousClock.now
            _ = try await controller.migrateShards(to: engine)
            let steps = try await stepUntilDone(controller)
            let seconds = (ContinuousClock.now - started).seconds
            // The load on the target engine alone, to compare with: calls on PostgreSQL take
            // longer than on SQLite files at any pace of the migration.
            let after = "steady-\(engine.rawValue)"
            recorder.setPhase(after)
            try await Task.sleep(for: duration)
            legs.append(.init(to: engine.rawValue, notes: notes, seconds: seconds, notesPerSecond: Double(notes) / seconds, steps: steps,
                              requests: recorder.count(engine.rawValue), failures: recorder.failures(engine.rawValue),
                              p99UsSteady: recorder.percentile(before, 99), p99UsSteadyAfter: recorder.percentile(after, 99),
                              p99UsDuring: recorder.percentile(engine.rawValue, 99), longestMsDuring: recorder.longestCallMs(engine.rawValue)))
            before = after
        }
        recorder.setPhase("after")
        load.cancel()
        await load.value
        let placement = try await controller.describePlacement()
        await controller.shutdown()
        return BenchFigures.Migrate(accounts: accounts, legs: legs, verified: placement.verified, recopied: placement.recopied)
    }

    static let migrateNotesPerAccount = 500
    static let migrateLoadPerSecond = 100.0

    /// Writes the data straight into the data dir's store (in this process: seeding is not
    /// what is measured), many accounts at once.
    private func seed(_ dataDirectory: URL, accounts: Int, notesEach: Int) async throws {
        let store = try ShardedNoteStore(dataDirectory: DataDirectory(path: dataDirectory.path), shardCountIfNew: 2, durability: durability)
        defer { try? store.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<accounts {
                group.addTask {
                    let account = UUID()
                    for index in 0..<notesEach {
                        try await store.createNote(accountId: account, note: Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(),
                                                                                   content: "seeded note \(index) of a migrating account"))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

extension BenchFigures {
    /// Every note moved SQLite → PostgreSQL and back under steady load.
    struct Migrate: Codable, Sendable {
        struct Leg: Codable, Sendable {
            var to: String
            var notes: Int
            var seconds: Double
            var notesPerSecond: Double
            var steps: Int
            var requests: Int
            var failures: Int
            /// The load's p99 on the source engine before, and on the target engine after.
            var p99UsSteady: Double
            var p99UsSteadyAfter: Double
            var p99UsDuring: Double
            var longestMsDuring: Double
        }

        var accounts: Int
        var legs: [Leg]
        var verified: Int
        var recopied: Int

        var table: String {
            var lines = ["migrate: \(accounts) accounts, every note to PostgreSQL and back under load (\(verified) switches verified, \(recopied) copied again)"]
            for leg in legs {
                let steady = max(leg.p99UsSteady, leg.p99UsSteadyAfter)
                let ratio = leg.p99UsSteady > 0 ? leg.p99UsDuring / leg.p99UsSteady : 0
                let ratioToSlower = steady > 0 ? leg.p99UsDuring / steady : 0
                lines.append("""
                      to \(leg.to.padding(toLength: 9, withPad: " ", startingAt: 0))          \(leg.notes) notes in \(String(format: "%.1f", leg.seconds)) s = \
                    \(String(format: "%.0f", leg.notesPerSecond)) notes/s in \(leg.steps) steps   (target ≥ 5,000 notes/s)
                        requests / failures   \(leg.requests) / \(leg.failures)   (target: 0 failures)
                        p99 before / after / during   \(String(format: "%.0f", leg.p99UsSteady)) µs / \(String(format: "%.0f", leg.p99UsSteadyAfter)) µs / \
                    \(String(format: "%.0f", leg.p99UsDuring)) µs = \(String(format: "%.2f", ratio))× before, \(String(format: "%.2f", ratioToSlower))× the slower \
                    engine's   (target ≤ 2×); longest call \(String(format: "%.0f", leg.longestMsDuring)) ms
                    """)
            }
            return lines.joined(separator: "\n")
        }
    }
}
