import ArgumentParser
import Foundation
import Store
import Logging
import Telemetry

/// `notely bench`: what the proxy costs and how fast a rollout is, measured in one run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the store, the RPC floor, the proxied path, rollouts, faults and re-sharding; print a table.",
        discussion: "Build with `swift build -c release` first: debug figures are not representative. See BENCHMARKS.md."
    )

    @Flag(help: "A short run (under a minute) instead of the default, steadier one.")
    var quick = false

    @Option(help: ArgumentHelp("Also write the figures as JSON to this file.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("""
        Concurrent clients: one count, or a list such as 8,1,32 for a sweep. The rpcFloor and proxied runs \
        run at each; the others at the first (default 8, and a sweep of 8,1,32 without --quick).
        """, valueName: "n[,n…]"))
    var clients: ClientCounts?

    @Option(help: ArgumentHelp("Seconds per throughput run (default 20, 5 with --quick).", valueName: "s"))
    var seconds: Int?

    @Option(help: ArgumentHelp("Deploys in the rollout run (default 10, 3 with --quick).", valueName: "n"))
    var deploys: Int?

    @Option(help: ArgumentHelp("Notes in each account the reshard run moves (default 250, 100 with --quick; 40 or 20 accounts).",
                               valueName: "n"))
    var reshardNotes: Int?

    @Option(help: ArgumentHelp("Notes of the data dir the migrate run moves to PostgreSQL and back (default 100000, 20000 with --quick).",
                               valueName: "n"))
    var migrateNotes: Int?

    @Flag(help: "Only the migrate run (it needs --postgres URL).")
    var onlyMigrate = false

    @Option(help: ArgumentHelp("The shards' --durability in every run.", valueName: "mode"))
    var durability: Durability = .default

    /// `--engine sqlite,postgres`: the engines `direct` and `proxied` run on (default sqlite);
    /// the other runs use SQLite.
    @OptionGroup var engineOption: EngineOption
    var engines: [ShardEngine] {
        let named = engineOption.engines ?? []
        return named.isEmpty ? [.sqlite] : named
    }


    func validate() throws {
        if let clients, let wrong = clients.counts.first(where: { !(1...256).contains($0) }) {
            throw ValidationError("--clients must be 1…256 each, got \(wrong)")
        }
        if let seconds, !(1...600).contains(seconds) { throw ValidationError("--seconds must be 1…600, got \(seconds)") }
        if let deploys, !(1...100).contains(deploys) { throw ValidationError("--deploys must be 1…100, got \(deploys)") }
        if let reshardNotes, !(1...10_000).contains(reshardNotes) {
            throw ValidationError("--reshard-notes must be 1…10000, got \(reshardNotes)")
        }
        if let migrateNotes, !(500...10_000_000).contains(migrateNotes) {
            throw ValidationError("--migrate-notes must be 500…10000000, got \(migrateNotes)")
        }
        if engines.contains(.postgres) || onlyMigrate, (try? postgresURL()) == nil {
            throw ValidationError("--engine postgres needs a server: give --postgres URL (or set \(PostgresSettings.environmentVariable))")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = LogCaptureHandler(label: label, write: StandardError.writeLine)
            handler.logLevel = .warning
            return handler
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notely-bench-\(UUID().uuidText.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = clients?.counts ?? (quick ? [8] : [8, 1, 32])
        var benchmarks = Benchmarks(clients: counts[0], sweep: Array(Set(counts)).sorted(),
                                    duration: .seconds(seconds ?? (quick ? 5 : 20)), deploys: deploys ?? (quick ? 3 : 10),
                                    rolloutWait: .seconds(quick ? 1 : 2), durability: durability,
                                    reshardAccounts: quick ? 20 : 40, reshardNotesPerAccount: reshardNotes ?? (quick ? 100 : 250),
                                    engines: engines, postgresURL: try postgresURL(), directory: directory,
                                    logger: Logger(label: "bench"))
        benchmarks.migrateNotes = migrateNotes ?? (quick ? 20_000 : 100_000)
        if onlyMigrate {
            StandardError.writeLine("bench: migrate: \(benchmarks.migrateNotes) notes moved SQLite → PostgreSQL → SQLite under steady load…")
            let migrate = try await benchmarks.measureMigrate()
            print(migrate.table)
            if let json { try JSONEncoder.pretty.encode(migrate).write(to: URL(fileURLWithPath: json)) }
            fflush(nil)
            return
        }
        let figures = try await benchmarks.run { step in
            StandardError.writeLine("bench: \(step)…")
        }
        print(figures.table)
        if let json {
            try JSONEncoder.pretty.encode(figures).write(to: URL(fileURLWithPath: json))
            print("figures written to \(json)")
        }
        fflush(nil)   // the table is the run's answer: out (all streams) before the process ends
    }
}

extension BenchCommand {
    /// The server `--postgres` or `NOTELY_POSTGRES_URL` names, checked; nil when neither does.
    func postgresURL() throws -> String? {
        guard let url = engineOption.postgres ?? ProcessInfo.processInfo.environment[PostgresSettings.environmentVariable], !url.isEmpty else {
            return nil
        }
        _ = try PostgresSettings(url: url)
        return url
    }
}

/// `--clients 8` or `--clients 8,1,32`.
struct ClientCounts: ExpressibleByArgument, Sendable {
    var counts: [Int]

    init?(argument: String) {
        let counts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil }) else { return nil }
        self.counts = counts.map { $0! }
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
