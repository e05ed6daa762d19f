import Foundation

/// A progressive rollout (DESIGN.md, "Progressive rollouts"): the percent of calls the new
/// version gets at each step, and how a step is judged. Steps share the rollout wait evenly;
/// 100 % after the last is implied and ends the rollout. A rollout without a plan is the
/// seed's: both versions at random, 50/50, for the whole wait, judged by nothing but crashes.
/// How a step is judged is the controller's (`AnalysisThresholds`), the same for every plan.
public struct RolloutPlan: Sendable, Hashable {
    /// Percents of calls to the new version, strictly increasing, each 1…99.
    public let steps: [Int]

    /// Validates `steps`; a trailing 100 (the implied last step) is accepted and left out.
    public init(steps: [Int]) throws(RolloutPlanError) {
        var steps = steps
        if steps.count > 1, steps.last == 100 { steps.removeLast() }
        guard !steps.isEmpty else { throw RolloutPlanError("steps must name at least one percent below 100, e.g. 10,50") }
        guard steps.count <= Self.maxSteps else { throw RolloutPlanError("at most \(Self.maxSteps) steps, got \(steps.count)") }
        for step in steps where !(1...99).contains(step) {
            throw RolloutPlanError("each step is a percent of calls from 1 to 99 (100 is implied), got \(step)")
        }
        for (earlier, later) in zip(steps, steps.dropFirst()) where later <= earlier {
            throw RolloutPlanError("steps must grow: \(later) comes after \(earlier)")
        }
        self.steps = steps
    }

    /// Reads `10,50` (the `--rollout-steps` flag).
    public init(parsing text: String) throws(RolloutPlanError) {
        var steps: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let step = Int(trimmed) else { throw RolloutPlanError("steps are whole percents separated by commas, e.g. 10,50; got \"\(text)\"") }
            steps.append(step)
        }
        try self.init(steps: steps)
    }

    public static let maxSteps = 10

    /// The steps as shown: `10% → 50% → 100%`.
    public var description: String { (steps + [100]).map { "\($0)%" }.joined(separator: " → ") }

    /// How long each step lasts: the rollout wait split evenly.
    public func stepDuration(of rolloutWait: Duration) -> Duration { rolloutWait / steps.count }
}

/// How a step is judged: the new version against the previous one over the same window.
public struct AnalysisThresholds: Sendable, Hashable {
    /// The new version's error rate may exceed the previous one's by at most this many points.
    public var maxErrorRise: Double = 1
    /// The new version's p95 may be at most this many times the previous one's…
    public var maxP95Ratio: Double = 2
    /// …or this many milliseconds, whichever is more: microseconds of noise can't fail a step.
    public var p95FloorMs: Double = 25
    /// Fewer calls than this on either version judge nothing: the step passes, saying so.
    public var minCalls: Int = 10
    /// Calls the new version needs before its errors may fail a step before the step's end: one
    /// error in a handful of calls is noise, not a rise.
    public var minCallsToFailEarly: Int = 100
    /// Percent of reads also sent to the other version and compared (`--mirror-reads`).
    public var mirrorReads: Double = 0

    public init(maxErrorRise: Double = 1, maxP95Ratio: Double = 2, p95FloorMs: Double = 25, mirrorReads: Double = 0) {
        self.maxErrorRise = maxErrorRise
        self.maxP95Ratio = maxP95Ratio
        self.p95FloorMs = p95FloorMs
        self.mirrorReads = mirrorReads
    }

    /// Checks the ranges the flags allow.
    public func validated() throws(RolloutPlanError) -> AnalysisThresholds {
        guard (0...100).contains(maxErrorRise) else { throw RolloutPlanError("--max-error-rise must be 0…100 points, got \(maxErrorRise)") }
        guard maxP95Ratio >= 1, maxP95Ratio <= 1000 else { throw RolloutPlanError("--max-p95-ratio must be 1…1000, got \(maxP95Ratio)") }
        guard p95FloorMs >= 0, p95FloorMs <= 60_000 else { throw RolloutPlanError("--p95-floor-ms must be 0…60000, got \(p95FloorMs)") }
        guard (0...100).contains(mirrorReads) else { throw RolloutPlanError("--mirror-reads must be 0…100 percent, got \(mirrorReads)") }
        return self
    }
}

/// A plan or a threshold out of range, worded for the person who typed it.
public struct RolloutPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
