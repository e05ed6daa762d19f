import Dispatch
import Foundation
import PostgresNIO

/// Asks the PostgreSQL server whether it answers (`SELECT 1` on a pooled connection): what the
/// dashboard's header and `/stats` show of the server while the proxies use it.
public final class PostgresProbe: Sendable {
    private let server: PostgresServer

    public init(settings: PostgresSettings) {
        var settings = settings
        settings.maximumConnections = 1
        server = PostgresServer(settings: settings, applicationName: "notely-probe")
    }

    /// The server as messages name it (no password).
    public var serverName: String { server.settings.serverName }

    /// Nil when the server answered within `timeout`, else why not.
    public func check(timeout: TimeInterval) async -> String? {
        do {
            let deadline = Date() + timeout
            try await server.withConnection(deadline: deadline) { [server] connection in
                // A blocking statement, bounded by the deadline (`PostgresRows.result`), on a
                // thread of its own rather than the small shared pool.
                let rows = PostgresRows(connection: connection, schema: PostgresSchema(name: "public"),
                                        server: server.settings.serverName, logger: server.logger, until: deadline)
                try await withCheckedThrowingContinuation { (answered: CheckedContinuation<Void, any Error>) in
                    DispatchQueue.global().async { answered.resume(with: Result { _ = try rows.rows("SELECT 1") }) }
                }
            }
            return nil
        } catch {
            return "\(PostgresErrors.translate(error, server: server.settings.serverName))"
        }
    }

    public func close() { server.close() }
}
