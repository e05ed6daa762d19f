import Foundation
import Histogram

/// Which REST calls the figures are about: method, route pattern (not the raw path, so
/// `/accounts/{id}` is one row however many accounts there are) and status code.
public struct RouteKey: Hashable, Sendable, Comparable {
    public var method: String
    public var route: String
    public var status: Int

    public init(method: String, route: String, status: Int) {
        self.method = method
        self.route = route
        self.status = status
    }

    public static func < (lhs: RouteKey, rhs: RouteKey) -> Bool {
        (lhs.route, lhs.method, lhs.status) < (rhs.route, rhs.method, rhs.status)
    }
}

/// One row of the API table in `/stats` and the dashboard.
public struct RouteStats: Codable, Hashable, Sendable {
    public var method: String
    public var route: String
    public var status: Int
    public var count: Int
    public var requestsPerSec: Double
    public var p95Ms: Double
}

/// Count, rate and latency distribution of one route key.
struct RouteRecorder: Sendable {
    var counter = RateCounter()
    /// Microseconds, 1 µs … 60 s, three significant digits.
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(microseconds: UInt64, at time: Double) {
        counter.record(at: time)
        _ = latency.record(min(max(microseconds, 1), 60_000_000))
    }

    func stats(for key: RouteKey, at time: Double) -> RouteStats {
        RouteStats(method: key.method, route: key.route, status: key.status, count: counter.total,
                   requestsPerSec: counter.rate(at: time), p95Ms: Double(latency.valueAtPercentile(95)) / 1000)
    }
}
