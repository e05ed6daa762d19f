import Foundation

/// Where the PostgreSQL server is, from a URL (`--postgres`, or `NOTELY_POSTGRES_URL`):
/// `postgres://user[:password]@host[:port]/database`, or with `?host=/socket/dir` to connect
/// over the Unix socket in that folder (as libpq reads it). Parsed here rather than by a
/// library: postgres-nio takes a host, port and user, not a URL, and these few fields are all
/// Notely reads.
public struct PostgresSettings: Sendable, Equatable {
    /// The variable `notely` hands the URL to its proxies in: the environment, not the
    /// command line, where `ps` would show a password.
    public static let environmentVariable = "NOTELY_POSTGRES_URL"

    public var host: String
    public var port: Int
    /// The server's socket file, when the URL names a socket folder.
    public var socketPath: String?
    public var user: String
    public var password: String?
    public var database: String
    /// Connections each process may open (they open as needed): a growth holds one per old
    /// shard at once, so this covers the largest shard count with room for the calls beside it.
    public var maximumConnections = 70

    public init(url text: String) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw StoreError.invalidInput("--postgres wants a URL like postgres://user@127.0.0.1:5432/notely, got \(Self.redacted(text))")
        }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let socketFolder = url.queryItems?.first { $0.name == "host" }?.value
        guard let user = url.user ?? ProcessInfo.processInfo.environment["USER"], !user.isEmpty else {
            throw StoreError.invalidInput("the PostgreSQL URL \(Self.redacted(text)) names no user")
        }
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let port = url.port ?? 5432
        self.port = port
        socketPath = socketFolder.map { "\($0)/.s.PGSQL.\(port)" }
        self.user = user
        password = url.password
        database = path.isEmpty ? user : path
    }

    /// The server as messages name it: no password.
    public var serverName: String {
        if let socketPath { return "PostgreSQL at \(socketPath) (database \(database))" }
        return "PostgreSQL at \(host):\(port) (database \(database))"
    }

    /// The settings from the environment, when `NOTELY_POSTGRES_URL` is set.
    public static func fromEnvironment() throws -> PostgresSettings? {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty else { return nil }
        return try PostgresSettings(url: text)
    }

    /// A URL with its password replaced, for error messages and logs.
    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }
}
