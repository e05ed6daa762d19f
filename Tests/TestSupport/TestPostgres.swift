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
