/// How big a move's next step is and how long the worker pauses after it: as fast as the load
/// allows (docs/RESHARDING.md, "How fast notes move").
///
/// A step holds two shards' write locks and the proxy's one store thread, so a call that
/// arrives during it waits for it — at most one step. So the pacing bounds the step, not the
/// calls:
/// - a step should take a little less than the other calls' p99 before the change, but at
///   least `minTargetStep` — a copy to PostgreSQL pays about 3.5 ms of round trips whatever its
///   batch (BENCHMARKS.md, round 8), and a step should mostly move notes (`targetStep`,
///   6–20 ms): the batch grows while steps are quicker and shrinks when slower, so a call
///   waits for a step about as long as calls take anyway;
/// - while other calls run, steps take at most two thirds of the time (the pause is at least
///   half the step), which leaves the calls CPU; with none, steps run back to back;
/// - when the calls' p99 jumps past twice what it has been lately, the batch shrinks and the
///   pause grows (up to 100 ms, so the change always goes on) until it comes down. "Lately"
///   follows the p99 slowly — a jump passes, a new level is learnt — because the p99 moves
///   for reasons of its own during a migration: calls of accounts already on PostgreSQL take
///   longer than on SQLite, at any pace.
/// Pure: the worker feeds it what it measured.
struct MovePacer: Equatable {
    static let minBatch = 50
    static let maxBatch = 2_000
    static let defaultTargetStep = 0.01
    static let minTargetStep = 0.006
    static let maxPause = 0.1

    var batch = 200
    /// The most notes a step takes (`--move-batch`; else `maxBatch`).
    var batchCap = Self.maxBatch
    /// Seconds to wait before the next step.
    var pause = 0.0
    /// The other calls' p99 while nothing moved, in seconds (nil until measured).
    var baseline: Double?
    /// Their p99 during the change, a slow-moving average.
    var lately: Double?
    /// Steps the p99 was too high for, in a row.
    var backingOff = 0
    init(batchCap: Int? = nil) {
        self.batchCap = batchCap ?? Self.maxBatch
        batch = min(batch, self.batchCap)
    }

    /// How long a step should take: a little less than the other calls take anyway, and long
    /// enough to be mostly notes rather than round trips.
    var targetStep: Double {
        min(0.02, max(Self.minTargetStep, baseline.map { $0 * 0.8 } ?? Self.defaultTargetStep))
    }

    /// Learns the steady p99 (while no move runs), a slow-moving average.
    mutating func observeSteady(p99: Double?) {
        lately = nil
        guard let p99 else { return }
        baseline = baseline.map { $0 * 0.8 + p99 * 0.2 } ?? p99
    }

    /// After a step that took `seconds`, with the other calls' p99 now (nil: too few calls
    /// to say — nothing to slow down, so steps run back to back).
    mutating func adapt(stepSeconds seconds: Double, p99: Double?) {
        let scale = min(1.5, max(0.5, targetStep / max(seconds, 0.0001)))
        guard let p99 else {
            batch = bounded(Int(Double(batch) * scale))
            pause = 0
            return
        }
        let reference = max(lately ?? baseline ?? p99, baseline ?? 0)
        lately = (lately ?? baseline ?? p99) * 0.95 + p99 * 0.05
        if p99 > 2 * reference + 0.001 {
            backingOff += 1
            batch = bounded(Int(Double(batch) * 0.7))
            pause = min(Self.maxPause, max(pause * 1.5, seconds, 0.005))
            return
        }
        backingOff = 0
        batch = bounded(Int(Double(batch) * scale))
        pause = min(Self.maxPause, max(seconds / 2, pause * 0.7))
    }

    private func bounded(_ batch: Int) -> Int {
        min(batchCap, max(min(Self.minBatch, batchCap), batch))
    }
}

/// Notes per second a change of the shard set moves, and the time it has left: from how the
/// notes left to copy went down over the last few seconds.
struct MoveRate: Equatable {
    static let window = 5.0
    private var samples: [(at: Double, notesLeft: Int)] = []

    mutating func record(notesLeft: Int, at time: Double) {
        if let last = samples.last, notesLeft > last.notesLeft { samples = [] }   // a new change, or copies made again
        samples.append((time, notesLeft))
        samples.removeAll { $0.at < time - Self.window }
    }

    mutating func reset() { samples = [] }

    /// Notes per second; nil until two samples a moment apart.
    var notesPerSecond: Double? {
        guard let first = samples.first, let last = samples.last, last.at - first.at >= 0.5 else { return nil }
        return Double(first.notesLeft - last.notesLeft) / (last.at - first.at)
    }

    /// Seconds left at the current rate; nil when there is no rate yet (or it is zero).
    func etaSeconds(notesLeft: Int) -> Double? {
        guard let rate = notesPerSecond, rate > 0 else { return nil }
        return Double(notesLeft) / rate
    }

    static func == (lhs: MoveRate, rhs: MoveRate) -> Bool {
        lhs.samples.map(\.at) == rhs.samples.map(\.at) && lhs.samples.map(\.notesLeft) == rhs.samples.map(\.notesLeft)
    }
}
