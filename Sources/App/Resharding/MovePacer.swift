/// How big a move's next step is and how long the worker pauses after it: as fast as the load
/// allows (docs/RESHARDING.md, "How fast notes move").
///
/// A step holds two shards' write locks and the proxy's one store thread, so every other call
/// on those waits for it. Two rules keep that wait small:
/// - a step should take about `targetStep`: the batch grows while steps are quicker, and
///   shrinks when slower;
/// - steps take at most a third of the time (`pause` ≥ 2 × the step), and when the other
///   calls' p95 rises past twice what it was before the moves started, the batch halves and
///   the pause doubles until it comes down.
/// Pure: the worker feeds it what it measured.
struct MovePacer: Equatable {
    static let minBatch = 20
    static let maxBatch = 2_000
    static let targetStep = 0.004
    static let minPause = 0.002
    static let maxPause = 0.5

    var batch = 200
    /// Seconds to wait before the next step.
    var pause = 0.02
    /// The other calls' p95 while nothing moved, in seconds (nil until measured).
    var baseline: Double?
    /// Steps the p95 was too high for, in a row (the pause grows with them).
    var backingOff = 0

    /// Learns the steady p95 (while no move runs), a slow-moving average.
    mutating func observeSteady(p95: Double?) {
        guard let p95 else { return }
        baseline = baseline.map { $0 * 0.8 + p95 * 0.2 } ?? p95
    }

    /// After a step that took `seconds`, with the other calls' p95 now (nil: too few calls
    /// to say, so only the step's own time counts).
    mutating func adapt(stepSeconds seconds: Double, p95: Double?) {
        if let p95, let baseline, p95 > 2 * max(baseline, 0.001) {
            backingOff += 1
            batch = max(Self.minBatch, batch / 2)
            pause = min(Self.maxPause, max(pause, seconds) * 2)
            return
        }
        backingOff = 0
        let scale = min(1.5, max(0.5, Self.targetStep / max(seconds, 0.0001)))
        batch = min(Self.maxBatch, max(Self.minBatch, Int(Double(batch) * scale)))
        pause = min(Self.maxPause, max(Self.minPause, 2 * seconds, pause * 0.8))
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
