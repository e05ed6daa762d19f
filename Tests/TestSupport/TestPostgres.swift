import Foundation
import Store

/// The PostgreSQL server the tests run against: the throwaway cluster `scripts/test.sh`
/// starts (and stops), named in `NOTELY_TEST_POSTGRES_URL`. No test skips itself without one:
/// it fails, saying how to get one. Every test's data dir has a tag of its own, so its
/// schemas never meet another test's on the one server.
public enum TestPostgres {
    public static let variable = "NOTELY_TEST_POSTGRES_URL"

    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw TestSetupError("\(variable) is not set: run the tests with scripts/test.sh, which starts a throwaway "
                                 + "PostgreSQL cluster (scripts/postgres.sh start DIR prints a URL to set it to)")
        }
        return url
    }

    public static func settings() throws -> PostgresSettings {
        try PostgresSettings(url: url())
    }
}

/// A PostgreSQL cluster of one test's own (`scripts/postgres.sh` in a temporary folder), for
/// what would disturb the shared one: a restart. Stopped by `stop()`, or when released.
public final class PrivatePostgresCluster: Sendable {
    public let directory = TemporaryDirectory("notely-pg")
    public let url: String

    public init() throws {
        url = try Self.script("start", directory.path).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `pg_ctl restart -m fast`: open transactions roll back, every connection drops, and the
    /// server comes back on the same port.
    public func restart() throws { _ = try Self.script("restart", directory.path) }

    public func stop() { _ = try? Self.script("stop", directory.path) }

    /// Starts it again after `stop()`, on the same port: the same URL.
    public func start() throws {
        let again = try Self.script("start", directory.path)
        guard again == url else { throw TestSetupError("the cluster came back as \(again), not \(url)") }
    }

    deinit { stop() }

    /// Runs `scripts/postgres.sh` of this checkout; answers the last line it printed. Through
    /// `runCommand`: the server it starts is a daemon that would keep a `Process`'s pipes open.
    private static func script(_ arguments: String...) throws -> String {
        var root = try notelyExecutable().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("scripts/postgres.sh").path) {
            guard root.path != "/" else { throw TestSetupError("scripts/postgres.sh not found above the notely executable") }
            root = root.deletingLastPathComponent()
        }
        let (status, output) = try runCommand([root.appendingPathComponent("scripts/postgres.sh").path] + arguments)
        guard status == 0 else {
            throw TestSetupError("scripts/postgres.sh \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
        return output.split(separator: "\n").last.map(String.init) ?? ""
    }
}
