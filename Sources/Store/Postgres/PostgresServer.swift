import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL server of a data dir's `postgres` shards: postgres-nio's connection pool
/// (`PostgresClient`), run for as long as the store is open.
final class PostgresServer: Sendable {
    let settings: PostgresSettings
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// `applicationName` is how `pg_stat_activity` names this process's connections.
    init(settings: PostgresSettings, applicationName: String = "notely") {
        self.settings = settings
        var configuration = if let socketPath = settings.socketPath {
            PostgresClient.Configuration(unixSocketPath: socketPath, username: settings.user, password: settings.password,
                                         database: settings.database)
        } else {
            PostgresClient.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                         password: settings.password, database: settings.database, tls: .disable)
        }
        configuration.options.maximumConnections = settings.maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        logger = Logger(label: "postgres")
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // The pool runs in a task of its own for the store's lifetime: postgres-nio's client
        // serves leases only while `run()` runs; `close()` ends it.
        runner = Task { await client.run() }
    }

    /// Lends a pooled connection for as long as `body` runs, waiting for one no longer than
    /// `deadline` — while the server restarts, the pool connects again and the lease waits.
    ///
    /// postgres-nio bounds that wait by nothing but the task's cancellation, so the lease is
    /// taken in a task of its own that holds it until `body` is done. That task is unstructured
    /// on purpose: at the deadline the call answers at once and the task is cancelled, not
    /// waited for (a cancelled lease can take seconds to leave a pool busy connecting, and the
    /// proxy's answer must reach the parent before the parent gives up).
    func withConnection<T: Sendable>(deadline: Date?, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let until = deadline ?? Date() + ShardLocks.defaultWait
        let leased = AsyncPromise<Result<PostgresConnection, any Error>>()
        let released = AsyncPromise<Void>()
        let lease = Task { [client] in
            do {
                try await client.withConnection { connection in
                    leased.fulfill(.success(connection))
                    await released.waitIgnoringCancellation()
                }
            } catch {
                leased.fulfill(.failure(error))
            }
        }
        defer {
            released.fulfill(())
            lease.cancel()
        }
        guard let outcome = await leased.wait(timeout: .seconds(max(0, until.timeIntervalSinceNow))) else {
            throw ServerUnreachable(message: "\(settings.serverName) gave no connection before the call's deadline")
        }
        let connection: PostgresConnection
        do {
            connection = try outcome.get()
        } catch {
            // The pool gave up connecting (its circuit breaker, or it was shut down).
            throw ServerUnreachable(message: "\(settings.serverName) gave no connection: \(error)")
        }
        return try await body(connection)
    }

    /// Runs `body` on a pooled connection, and again on another while the server is
    /// unreachable (restarting, or a connection it killed), until `deadline`. Only for work that
    /// is safe to run again: reads, and transactions that never sent their COMMIT.
    func retrying<T: Sendable>(deadline: Date?, _ body: (PostgresConnection) throws -> T) async throws -> T {
        let until = deadline ?? Date() + ShardLocks.defaultWait
        while true {
            do {
                return try await withConnection(deadline: until) { connection in try body(connection) }
            } catch let lost as ServerUnreachable where !lost.maybeCommitted {
                guard Date() < until else { throw StoreError.unavailable("\(lost.message); it did not come back before the call's deadline") }
                logger.debug("PostgreSQL unreachable, trying again", metadata: ["error": "\(lost.message)"])
            } catch let timeout as LockTimeout {
                // A statement cancelled by its timeout (or by an operator) outside a write.
                throw StoreError.unavailable("\(settings.serverName): \(timeout.message)")
            }
        }
    }

    func close() {
        runner.cancel()
    }
}

/// The server could not be reached, or dropped the connection a call ran on. Unless the
/// connection dropped while a COMMIT was on its way (`maybeCommitted`), nothing was applied
/// and the call may run again.
struct ServerUnreachable: Error, CustomStringConvertible {
    var message: String
    var maybeCommitted = false

    var description: String { message }
}
