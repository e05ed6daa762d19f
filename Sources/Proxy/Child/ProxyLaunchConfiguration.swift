import Foundation
import Store
import Telemetry

/// Everything needed to start proxy children the same way every time.
public struct ProxyLaunchConfiguration: Sendable {
    /// The `notely` binary to run with `--proxy`; by default the running executable.
    public var executable: URL
    public var dataDirectory: String
    public var durability: Durability
    /// The PostgreSQL URL the children get in `NOTELY_POSTGRES_URL` (the environment, never the
    /// command line, where `ps` shows a password); nil: they inherit this process's.
    public var postgresURL: String?
    /// The children's `--log-level`.
    public var logLevel: String
    /// Where the child runs; the parent's current directory by default.
    public var workingDirectory: URL
    /// How long a new proxy may take to answer `Ready`.
    public var readyTimeout: Duration = .seconds(10)
    /// How long `shutdown()` waits after SIGTERM before SIGKILL.
    public var stopGrace: Duration = .seconds(5)
    /// Where the child's stdout and stderr go, line by line, prefixed with its version.
    public var logCapture: LogCapture?
    /// Where each proxy's client counts its calls, per version.
    public var stats: StatsCollector?

    public init(executable: URL = ProxyLaunchConfiguration.currentExecutable(), dataDirectory: String,
                durability: Durability = .default, postgresURL: String? = nil, logLevel: String = "info",
                workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                logCapture: LogCapture? = nil, stats: StatsCollector? = nil) {
        self.executable = executable
        self.dataDirectory = dataDirectory
        self.durability = durability
        self.postgresURL = postgresURL
        self.logLevel = logLevel
        self.workingDirectory = workingDirectory
        self.logCapture = logCapture
        self.stats = stats
    }

    public static func currentExecutable() -> URL {
        #if os(Linux)
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        #endif
    }

    /// No `--proxy-port`: the child binds port 0 and reports the port it got (`ListeningLine`).
    /// No `--shards`: the parent has made the data dir, whose count (which a growth changes)
    /// the child reads there.
    func arguments(id: Int) -> [String] {
        ["--proxy", "--proxy-id", String(id), "--data-dir", dataDirectory, "--durability", durability.rawValue, "--log-level", logLevel]
    }
}
