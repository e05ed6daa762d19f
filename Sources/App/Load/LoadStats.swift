import Foundation
import Synchronization
import Telemetry

/// The load generator's evidence, as `/stats` and the header show it. Exact counts, never
/// sampled: zero failures and zero misses across a rollout is the claim Notely makes.
struct LoadStats: Codable, Sendable, Hashable {
    var running: Bool
    var accounts: Int
    var requests: Int
    var failures: Int
    var consistencyMisses: Int
    var requestsPerSec: Double
    var lastFailure: String?
    var lastMiss: String?

    static let idle = LoadStats(running: false, accounts: 0, requests: 0, failures: 0, consistencyMisses: 0, requestsPerSec: 0)
}

/// Thread-safe counters behind `LoadStats`.
final class LoadCounters: Sendable {
    private struct State {
        var rate = RateCounter()
        var failures = 0
        var misses = 0
        var lastFailure: String?
        var lastMiss: String?
        var accounts = 0
    }

    private let state = Mutex(State())
    private let clock: TimeSource

    init(clock: @escaping TimeSource = TimeSources.wallClock) {
        self.clock = clock
    }

    func setAccounts(_ count: Int) { state.withLock { $0.accounts = count } }

    func recordRequest(failure: String? = nil, miss: String? = nil) {
        let now = clock()
        state.withLock { state in
            state.rate.record(at: now)
            if let failure {
                state.failures += 1
                state.lastFailure = failure
            }
            if let miss {
                state.misses += 1
                state.lastMiss = miss
            }
        }
    }

    func snapshot(running: Bool) -> LoadStats {
        let now = clock()
        return state.withLock { state in
            LoadStats(running: running, accounts: state.accounts, requests: state.rate.total, failures: state.failures,
                      consistencyMisses: state.misses, requestsPerSec: state.rate.rate(at: now),
                      lastFailure: state.lastFailure, lastMiss: state.lastMiss)
        }
    }
}
