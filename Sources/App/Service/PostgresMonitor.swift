import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Watches the PostgreSQL server of the data dir's `postgres` shards, once a second, for the
/// dashboard's header and `/stats.placement.postgres`; logs when it goes and when it is back.
final class PostgresMonitor: Service, Sendable {
    /// The server as last seen.
    struct State: Encodable, Sendable, Hashable {
        var server: String
        var up: Bool
        /// Why it is not up.
        var message: String?
    }

    private let probe: PostgresProbe
    private let logger: Logger
    private let current: Mutex<State>

    init(settings: PostgresSettings, logger: Logger) {
        probe = PostgresProbe(settings: settings)
        self.logger = logger
        current = Mutex(State(server: probe.serverName, up: true, message: nil))
    }

    var state: State { current.withLock { $0 } }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.watch() }
        probe.close()
    }

    private func watch() async {
        while !Task.isCancelled {
            let failure = await probe.check(timeout: 1)
            let was = current.withLock { state in
                defer { state.up = failure == nil; state.message = failure }
                return state.up
            }
            if was, let failure { logger.warning("PostgreSQL is unreachable", metadata: ["error": "\(failure)"]) }
            if !was, failure == nil { logger.info("PostgreSQL is back", metadata: ["server": "\(probe.serverName)"]) }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
