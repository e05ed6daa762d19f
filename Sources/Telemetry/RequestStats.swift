import Foundation

/// A count and a recent rate: the figure every pane and `/stats` shows for a stream of calls.
public struct RequestStats: Codable, Hashable, Sendable {
    public var totalRequests: Int
    public var requestsPerSec: Double

    public init(totalRequests: Int = 0, requestsPerSec: Double = 0) {
        self.totalRequests = totalRequests
        self.requestsPerSec = requestsPerSec
    }
}

/// Counts events and their rate over a short sliding window of whole-second buckets.
/// A pure value: the caller passes the time, so tests drive it with a fake clock.
public struct RateCounter: Sendable, Equatable {
    public static let defaultWindowSeconds = 5

    public private(set) var total = 0
    private let windowSeconds: Int
    private var buckets: [Int]
    private var bucketSeconds: [Int]

    public init(windowSeconds: Int = RateCounter.defaultWindowSeconds) {
        precondition(windowSeconds > 0)
        self.windowSeconds = windowSeconds
        // One slot more than the window: the current, unfinished second needs its own.
        buckets = Array(repeating: 0, count: windowSeconds + 1)
        bucketSeconds = Array(repeating: Int.min, count: windowSeconds + 1)
    }

    public mutating func record(_ count: Int = 1, at time: Double) {
        guard count > 0 else { return }
        total += count
        let second = Int(time.rounded(.down))
        let slot = ((second % buckets.count) + buckets.count) % buckets.count
        if bucketSeconds[slot] != second {
            bucketSeconds[slot] = second
            buckets[slot] = 0
        }
        buckets[slot] += count
    }

    /// Events per second over the last `windowSeconds` whole seconds before `time` (the
    /// current, unfinished second is left out so the rate does not dip at every tick).
    public func rate(at time: Double) -> Double {
        let now = Int(time.rounded(.down))
        var sum = 0
        for (slot, second) in bucketSeconds.enumerated() where second < now && second >= now - windowSeconds {
            sum += buckets[slot]
        }
        return Double(sum) / Double(windowSeconds)
    }

    public func stats(at time: Double) -> RequestStats {
        RequestStats(totalRequests: total, requestsPerSec: rate(at: time))
    }
}
