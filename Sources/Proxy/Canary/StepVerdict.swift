import Foundation

/// The judgement of one rollout step: the new version against the previous one over the same
/// window, check by check (errors, then latency, then answers), with the figures it read.
public struct StepVerdict: Sendable, Hashable, Codable {
    /// The checks a step can fail.
    public enum Check: String, Sendable, Codable, CaseIterable {
        case errors, latency, answers
    }

    /// The percent of calls the new version had during the step.
    public var percent: Int
    public var passed: Bool
    /// The check that failed; nil when the step passed.
    public var failedCheck: Check?
    /// The verdict and its figures in a line, as logged and shown.
    public var summary: String
    public var new: WindowFigures
    public var previous: WindowFigures

    /// Whether this failed verdict, reached before the step's end, is proof enough to end the
    /// step now: an answer that differed always is; errors are with enough calls; a p95 is
    /// judged only over the whole step (the p95 of the first few calls is noise).
    public func failsEarly(_ thresholds: AnalysisThresholds) -> Bool {
        switch failedCheck {
        case .answers: true
        case .errors: new.calls >= thresholds.minCallsToFailEarly
        case .latency, nil: false
        }
    }

    /// Judges the step at `percent` from both versions' windows.
    public static func judge(percent: Int, newVersion: Int, new: CallWindow, previousVersion: Int, previous: CallWindow,
                             thresholds: AnalysisThresholds) -> StepVerdict {
        let newFigures = WindowFigures(new)
        let previousFigures = WindowFigures(previous)
        func verdict(_ failed: Check?, _ why: String) -> StepVerdict {
            let outcome = failed == nil ? "passed" : "failed the \(failed!.rawValue) check"
            return StepVerdict(percent: percent, passed: failed == nil, failedCheck: failed,
                               summary: "step \(percent)%: v\(newVersion) \(outcome): \(why)", new: newFigures, previous: previousFigures)
        }
        // Wrong answers fail a step however few calls it saw: one is proof enough.
        if new.mismatches > 0 {
            return verdict(.answers, "\(new.mismatches) of \(new.mirrored) mirrored reads answered differently from v\(previousVersion)")
        }
        let fewest = min(new.calls, previous.calls)
        if fewest < thresholds.minCalls {
            return verdict(nil, "too few calls to judge, after waiting for more (v\(newVersion) \(new.calls), v\(previousVersion) \(previous.calls); "
                                + "at least \(thresholds.minCalls) each)")
        }
        let allowedErrors = previous.errorRate + thresholds.maxErrorRise
        if new.errorRate > allowedErrors {
            return verdict(.errors, "errors \(percentText(new.errorRate)) (\(new.errors) of \(new.calls)) > "
                                    + "\(percentText(previous.errorRate)) of v\(previousVersion) + \(Self.number(thresholds.maxErrorRise)) points")
        }
        // The new version fails only when even the low end of its p95's confidence range is
        // over the allowance: on a step's few calls, one stall must not fail a sound version.
        let newP95 = new.p95Ms ?? 0
        let newP95Low = new.p95LowMs ?? 0
        let previousP95 = previous.p95Ms ?? 0
        let allowedP95 = max(previousP95 * thresholds.maxP95Ratio, thresholds.p95FloorMs)
        if newP95Low > allowedP95 {
            let confidence = Int(CallWindow.p95Confidence * 100)
            return verdict(.latency, "p95 \(msText(newP95)) > \(Self.number(thresholds.maxP95Ratio))× \(msText(previousP95)) of v\(previousVersion) "
                                     + "(floor \(msText(thresholds.p95FloorMs))): at least \(msText(newP95Low)) with \(confidence)% confidence, "
                                     + "over \(new.calls) calls and \(previous.calls)")
        }
        let answers = new.mirrored + previous.mirrored > 0 ? ", \(new.mirrored + previous.mirrored) mirrored reads alike" : ""
        let low = newP95 > allowedP95 ? " (at least \(msText(newP95Low)) with \(Int(CallWindow.p95Confidence * 100))% confidence)" : ""
        return verdict(nil, "errors \(percentText(new.errorRate)) vs \(percentText(previous.errorRate)), "
                            + "p95 \(msText(newP95))\(low) vs \(msText(previousP95))\(answers) over \(new.calls) and \(previous.calls) calls")
    }

    private static func percentText(_ value: Double) -> String { "\(number(value))%" }
    private static func msText(_ value: Double) -> String { "\(number(value)) ms" }
    /// One decimal, without a trailing `.0`.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}

/// A window's figures as `/stats` and a verdict show them.
public struct WindowFigures: Sendable, Hashable, Codable {
    public var calls: Int
    public var errors: Int
    /// Percent of calls.
    public var errorRate: Double
    public var p95Ms: Double?
    /// The low end of the p95's confidence range (`CallWindow.p95LowMs`): what the latency check reads.
    public var p95LowMs: Double?
    public var mirrored: Int
    public var mismatches: Int

    public init(_ window: CallWindow) {
        calls = window.calls
        errors = window.errors
        errorRate = (window.errorRate * 100).rounded() / 100
        p95Ms = window.p95Ms.map { ($0 * 100).rounded() / 100 }
        p95LowMs = window.p95LowMs.map { ($0 * 100).rounded() / 100 }
        mirrored = window.mirrored
        mismatches = window.mismatches
    }
}
