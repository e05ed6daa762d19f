import ArgumentParser
import Foundation
import Logging
import Proxy
import Telemetry
import Store

/// The command line of the design's contract: one executable, a mode chosen by flags.
struct NotelyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notely",
        abstract: "A notes service that shows zero-downtime rolling releases of its data proxy.",
        discussion: """
            With no mode flag Notely runs the full-screen dashboard. --headless runs the same \
            system without a UI; --proxy runs one data proxy (the child process).
            """,
        subcommands: [BenchCommand.self]
    )

    @Flag(help: "Run the service with no UI; logs go to stderr; stops on SIGINT/SIGTERM.")
    var headless = false

    @Flag(help: "Run as a data proxy (the child process) instead.")
    var proxy = false

    @Option(help: ArgumentHelp("Port of the data proxy on 127.0.0.1 (with --proxy). Default: one the system picks, reported on stdout.", valueName: "port"))
    var proxyPort: Int?

    @Option(help: ArgumentHelp("Version number the proxy reports (with --proxy).", valueName: "n"))
    var proxyId = 1

    @Option(help: ArgumentHelp("Where the SQLite files live; created if missing.", valueName: "dir"))
    var dataDir = ".notely"

    @Flag(help: "Delete the data dir's databases before starting.")
    var clean = false

    @Option(help: ArgumentHelp("REST API port on 127.0.0.1; 0 picks a free one and logs it.", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp("Number of note shards of a new data dir (default 2); an existing one keeps its count, "
                               + "which only grows live (POST /shards).", valueName: "n"))
    var shards: Int?

    static let defaultShards = 2

    @OptionGroup var engineOption: EngineOption
    var engine: String? { engineOption.engine }
    var postgres: String? { engineOption.postgres }

    /// `--engine`, read (nil when absent, or when it names a list: `run()` refuses that).
    var shardEngine: ShardEngine? { engine.flatMap(ShardEngine.init(rawValue:)) }

    /// The server `--postgres` or `NOTELY_POSTGRES_URL` names, if any.
    func postgresSettings() throws -> PostgresSettings? {
        if let postgres { return try PostgresSettings(url: postgres) }
        return try PostgresSettings.fromEnvironment()
    }

    @Option(help: ArgumentHelp("Seconds both versions serve before the previous one retires.", valueName: "seconds"))
    var rolloutWait: Double = 30

    @Option(help: ArgumentHelp("""
        Percents of calls the new version takes, step by step, over --rollout-wait (100 is implied), e.g. 10,50; \
        each step is judged and a bad version rolled back. Default: the seed's rollout, 50/50 for the whole wait.
        """, valueName: "percents"))
    var rolloutSteps: String?

    @Option(help: ArgumentHelp("A step fails when the new version's error rate exceeds the previous one's by more points than this.",
                               valueName: "points"))
    var maxErrorRise: Double = AnalysisThresholds().maxErrorRise

    @Option(help: ArgumentHelp("A step fails when the new version's p95 exceeds this many times the previous one's (and the floor).",
                               valueName: "ratio"))
    var maxP95Ratio: Double = AnalysisThresholds().maxP95Ratio

    @Option(help: ArgumentHelp("A p95 under this many milliseconds never fails a step.", valueName: "ms"))
    var p95FloorMs: Double = AnalysisThresholds().p95FloorMs

    @Option(help: ArgumentHelp("During a step, send this percent of note reads to both versions and compare the answers.",
                               valueName: "percent"))
    var mirrorReads: Double = 0

    /// `--rollout-steps`, read; nil for the seed's rollout.
    func rolloutPlan() throws(RolloutPlanError) -> RolloutPlan? {
        guard let rolloutSteps else { return nil }
        return try RolloutPlan(parsing: rolloutSteps)
    }

    /// The thresholds flags, as given (`validate()` checks their ranges).
    var analysisThresholds: AnalysisThresholds {
        AnalysisThresholds(maxErrorRise: maxErrorRise, maxP95Ratio: maxP95Ratio, p95FloorMs: p95FloorMs, mirrorReads: mirrorReads)
    }

    @Flag(help: "Do not run the load generator.")
    var noLoad = false

    @Option(help: ArgumentHelp("Accounts the load generator creates.", valueName: "n"))
    var accounts = 5

    @Option(help: ArgumentHelp("Requests per minute of the load generator, across all its accounts.", valueName: "n"))
    var rpm = 600

    @Option(help: ArgumentHelp("""
        At most this many notes a step of a move copies, and ten times as many it cleans up (default: as many \
        as the load allows). A small number slows moves down to watch them.
        """, valueName: "n"))
    var moveBatch: Int?

    @Flag(help: "Run `swift build` before each new proxy version, so edited code ships with a deploy.")
    var rebuild = false

    @Option(help: ArgumentHelp("What an acknowledged write survives: full (power loss too) or normal (a crash of any process).",
                               valueName: "mode"))
    var durability: Durability = .default

    @Option(help: ArgumentHelp("Least severe log lines shown: trace, debug, info, warning or error (proxies too).", valueName: "level"))
    var logLevel: LogLevelName = .info

    @Option(help: ArgumentHelp("Dashboard colours: dark or light. NO_COLOR turns colour off.", valueName: "theme"))
    var theme: ThemeName = .dark

    /// The `--log-level` choices: swift-log's levels, less the two no one asks for here.
    enum LogLevelName: String, ExpressibleByArgument, CaseIterable, Sendable {
        case trace, debug, info, warning, error

        var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
    }

    /// A log handler for this process at the `--log-level` asked for.
    func handler(_ make: () -> LogCaptureHandler) -> LogCaptureHandler {
        var handler = make()
        handler.logLevel = logLevel.level
        return handler
    }

    /// The `--theme` choices; `Theme` (the dashboard's colours) has one of each.
    enum ThemeName: String, ExpressibleByArgument, CaseIterable, Sendable {
        case dark, light
    }

    func validate() throws {
        if headless && proxy { throw ValidationError("--headless and --proxy are different modes; pick one") }
        if !proxy, proxyPort != nil { throw ValidationError("--proxy-port only applies with --proxy") }
        if let proxyPort, !(1...65535).contains(proxyPort) { throw ValidationError("--proxy-port must be 1…65535, got \(proxyPort)") }
        if proxyId < 1 { throw ValidationError("--proxy-id must be at least 1, got \(proxyId)") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535, got \(port)") }
        if let shards, !(1...ShardedNoteStore.maxShards).contains(shards) {
            throw ValidationError("--shards must be 1…\(ShardedNoteStore.maxShards), got \(shards)")
        }
        if let moveBatch, !(1...MovePacer.maxBatch).contains(moveBatch) {
            throw ValidationError("--move-batch must be 1…\(MovePacer.maxBatch), got \(moveBatch)")
        }
        if !(rolloutWait >= 0 && rolloutWait <= 3600) { throw ValidationError("--rollout-wait must be 0…3600 seconds, got \(rolloutWait)") }
        do {
            _ = try rolloutPlan()
        } catch {
            throw ValidationError("--rollout-steps: \(error)")
        }
        do {
            _ = try analysisThresholds.validated()
        } catch {
            throw ValidationError("\(error)")
        }
        if !(1...1000).contains(accounts) { throw ValidationError("--accounts must be 1…1000, got \(accounts)") }
        if !(1...600_000).contains(rpm) { throw ValidationError("--rpm must be 1…600000, got \(rpm)") }
        if dataDir.isEmpty { throw ValidationError("--data-dir must not be empty") }
        let server: PostgresSettings?
        do {
            server = try postgresSettings()
        } catch {
            throw ValidationError("\(error)")
        }
        // Each name of a list (`bench --engine sqlite,postgres`); a mode takes one (`run()`).
        if let engine, engineOption.engines == nil {
            throw ValidationError("--engine must name \(ShardEngine.allCases.map(\.rawValue).joined(separator: " or ")), got \(engine)")
        }
        if shardEngine == .postgres, server == nil {
            throw ValidationError("--engine postgres needs a server: give --postgres URL (or set \(PostgresSettings.environmentVariable))")
        }
    }

    func run() async throws {
        if let engine, shardEngine == nil {
            throw ExitMessage(code: 2, "--engine takes one engine for a data dir's shards, got \(engine)")
        }
        if proxy {
            try await ProxyMode(options: self).run()
        } else if headless {
            try await HeadlessMode(options: self).run()
        } else {
            try await DashboardMode(options: self).run()
        }
    }
}

extension Durability: ExpressibleByArgument {}

/// `--engine` and `--postgres`: one engine for a mode (the engine of a new data dir's shards),
/// a list for `bench`, and the server of `postgres` shards. One option group that both
/// commands include: ArgumentParser offers a subcommand's arguments to its parent's options
/// too, so an option declared in each would be claimed by the parent's.
struct EngineOption: ParsableArguments {
    @Option(help: ArgumentHelp("The PostgreSQL server of shards on the postgres engine, e.g. postgres://notely@127.0.0.1:5432/notely "
                               + "(also NOTELY_POSTGRES_URL); proxies get it through the environment.", valueName: "url"))
    var postgres: String?

    @Option(help: ArgumentHelp("Engine of a new data dir's shards: sqlite (files in the data dir) or postgres (needs --postgres); "
                               + "an existing data dir keeps its shards' engines. With bench: a list, e.g. sqlite,postgres.",
                               valueName: "engine"))
    var engine: String?

    /// The engines named, in order; nil when a name is not an engine.
    var engines: [ShardEngine]? {
        guard let engine else { return [] }
        let named = engine.split(separator: ",").map { ShardEngine(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        return named.allSatisfy { $0 != nil } ? named.map { $0! } : nil
    }
}
