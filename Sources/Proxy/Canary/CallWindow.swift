import Foundation

/// One version's calls over a window (a rollout step): how many, how many the version refused
/// or failed — even those a retry on the other version then saved —, their latency, and the
/// mirrored reads whose answers differed. A plain value: the router adds to it, a step takes
/// it and starts a fresh one.
public struct CallWindow: Sendable, Hashable {
    public private(set) var calls = 0
    public private(set) var errors = 0
    public private(set) var mirrored = 0
    public private(set) var mismatches = 0
    private var latencies = LatencyHistogram()

    public init() {}

    mutating func record(seconds: Double, failed: Bool) {
        calls += 1
        if failed { errors += 1 }
        latencies.add(seconds: seconds)
    }

    mutating func recordMirror(differed: Bool) {
        mirrored += 1
        if differed { mismatches += 1 }
    }

    /// Errors per hundred calls; 0 with no calls.
    public var errorRate: Double { calls == 0 ? 0 : Double(errors) * 100 / Double(calls) }

    /// The 95th percentile latency in milliseconds; nil with no calls.
    public var p95Ms: Double? { latencies.percentile(0.95).map { $0 * 1000 } }

    /// How sure the low end of the p95 (`p95LowMs`) is; and the standard normal's quantile at it.
    public static let p95Confidence = 0.95
    private static let p95ConfidenceZ = 1.6449

    /// The low end of the p95's confidence range, in milliseconds: a latency the true p95 is
    /// at least, with `p95Confidence`, given how few calls the window saw. The p95 of 12 calls
    /// is their slowest — one stall on a busy machine — while this is their third slowest; over
    /// hundreds of calls the two come close. Nil with no calls.
    public var p95LowMs: Double? {
        guard calls > 0 else { return nil }
        return latencies.value(atRank: Self.lowRank(calls: calls, quantile: 0.95)).map { $0 * 1000 }
    }

    /// Up to this many calls the rank is summed exactly; past it the normal approximation is
    /// within a rank of the sum, and costs nothing (`/stats` reads every window, and outside a
    /// rollout a window grows without end).
    static let exactRankCalls = 1000

    /// The highest rank k (1 = fastest) such that the k-th fastest of `calls` latencies is at
    /// most the true `quantile` with `p95Confidence`. The number of calls at or below the true
    /// quantile is binomial (`calls`, `quantile`), so k is the highest with P(that number ≥ k)
    /// ≥ the confidence — the distribution-free confidence bound for a percentile. Summed from
    /// the top, each term from the one above it, in logarithms (p^n alone underflows).
    static func lowRank(calls n: Int, quantile p: Double) -> Int {
        guard n <= exactRankCalls else {
            let rank = Double(n) * p - p95ConfidenceZ * (Double(n) * p * (1 - p)).squareRoot()
            return max(1, Int(rank.rounded(.down)))
        }
        var logTerm = Double(n) * log(p)   // P(exactly n)
        var atLeast = 0.0
        for k in stride(from: n, through: 1, by: -1) {
            atLeast += exp(logTerm)
            if atLeast >= p95Confidence { return k }
            // P(exactly k − 1) = P(exactly k) · k / (n − k + 1) · (1 − p) / p
            logTerm += log(Double(k)) - log(Double(n - k + 1)) + log1p(-p) - log(p)
        }
        return 1
    }
}

/// Latencies in buckets that grow by 10 % each, from 10 µs to about three minutes: a p95 within
/// 10 % in a fixed kilobyte or two, however many calls a step sees (a list of every latency
/// would grow with the traffic; a 2× threshold needs no more precision than this).
struct LatencyHistogram: Sendable, Hashable {
    private static let smallest = 10e-6
    private static let growth = 1.1
    private static let bucketCount = 180
    private var counts = [Int](repeating: 0, count: bucketCount)
    private var total = 0

    mutating func add(seconds: Double) {
        counts[Self.bucket(of: seconds)] += 1
        total += 1
    }

    /// The upper edge of the bucket holding the `quantile` (0…1) of the calls.
    func percentile(_ quantile: Double) -> Double? {
        value(atRank: max(1, Int((quantile * Double(total)).rounded(.up))))
    }

    /// The upper edge of the bucket holding the `rank`-th fastest call (1-based); nil with no calls.
    func value(atRank rank: Int) -> Double? {
        guard total > 0 else { return nil }
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return Self.upperEdge(of: index) }
        }
        return Self.upperEdge(of: Self.bucketCount - 1)
    }

    private static func bucket(of seconds: Double) -> Int {
        guard seconds > smallest else { return 0 }
        let index = Int((log(seconds / smallest) / log(growth)).rounded(.down)) + 1
        return min(max(index, 0), bucketCount - 1)
    }

    private static func upperEdge(of index: Int) -> Double { smallest * pow(growth, Double(index)) }
}
