import Foundation
import Synchronization

/// The latencies of the last few hundred calls, for a question the all-time histograms can't
/// answer: how slow are calls *now*? The placement worker asks it between two steps of a move,
/// to back off when moving notes slows the other calls down (`MovePacer`).
public final class RecentLatencies: Sendable {
    private struct Sample {
        var at: Double
        var seconds: Double
    }

    private let samples: Mutex<(ring: [Sample], next: Int)>
    private let clock: TimeSource

    public init(capacity: Int = 512, clock: @escaping TimeSource = TimeSources.wallClock) {
        samples = Mutex((Array(repeating: Sample(at: -.infinity, seconds: 0), count: capacity), 0))
        self.clock = clock
    }

    public func record(seconds: Double) {
        let now = clock()
        samples.withLock { samples in
            samples.ring[samples.next] = Sample(at: now, seconds: seconds)
            samples.next = (samples.next + 1) % samples.ring.count
        }
    }

    /// The 99th percentile of the calls of the last `window` seconds, in seconds; nil with
    /// fewer than `minimumCount` of them (too few to say).
    public func p99(window: Double = 2, minimumCount: Int = 20) -> Double? {
        let since = clock() - window
        var recent = samples.withLock { samples in samples.ring.filter { $0.at >= since }.map(\.seconds) }
        guard recent.count >= minimumCount else { return nil }
        recent.sort()
        return recent[min(recent.count - 1, Int(Double(recent.count) * 0.99))]
    }
}
