import Foundation
import Testing
@testable import Proxy
@testable import Store

/// The pure parts of a progressive rollout: its plan, the figures of a step, the verdict, the
/// comparison of mirrored answers and the bad versions on purpose.
@Suite struct CanaryAnalysisTests {
    // MARK: Plans

    @Test func stepsAreReadAndTheImpliedHundredMayBeWritten() throws {
        #expect(try RolloutPlan(parsing: "10,50").steps == [10, 50])
        #expect(try RolloutPlan(parsing: " 5, 25 ,75,100").steps == [5, 25, 75])
        #expect(try RolloutPlan(steps: [50]).description == "50% → 100%")
        #expect(try RolloutPlan(steps: [10, 50]).stepDuration(of: .seconds(30)) == .seconds(15))
    }

    @Test(arguments: ["", "abc", "10,,50", "0", "100", "50,10", "10,10", "10,101", "-5", "10.5",
                      "1,2,3,4,5,6,7,8,9,10,11"])
    func badStepsAreRefusedWithAReason(_ text: String) {
        #expect(throws: RolloutPlanError.self) { try RolloutPlan(parsing: text) }
    }

    @Test func thresholdsOutOfRangeAreRefused() throws {
        #expect(throws: RolloutPlanError.self) { try AnalysisThresholds(maxP95Ratio: 0.5).validated() }
        #expect(throws: RolloutPlanError.self) { try AnalysisThresholds(maxErrorRise: -1).validated() }
        #expect(throws: RolloutPlanError.self) { try AnalysisThresholds(mirrorReads: 101).validated() }
        #expect(throws: RolloutPlanError.self) { try AnalysisThresholds(p95FloorMs: -2).validated() }
        #expect(try AnalysisThresholds().validated() == AnalysisThresholds())
    }

    // MARK: Figures

    @Test func aWindowCountsErrorsAndItsP95IsWithinTenPercent() {
        var window = CallWindow()
        #expect(window.p95Ms == nil && window.errorRate == 0)
        for index in 1...100 { window.record(seconds: Double(index) / 1000, failed: index % 10 == 0) }
        #expect(window.calls == 100 && window.errors == 10 && window.errorRate == 10)
        let p95 = window.p95Ms ?? 0
        #expect(p95 >= 95 && p95 <= 95 * 1.1, "p95 \(p95) ms")
        window.record(seconds: 1e-9, failed: false)   // below the smallest bucket
        window.record(seconds: 10_000, failed: false)   // above the largest
        #expect(window.calls == 102)
    }

    // MARK: Verdicts

    private func window(calls: Int, errors: Int = 0, ms: Double, mismatches: Int = 0) -> CallWindow {
        var window = CallWindow()
        for index in 0..<calls { window.record(seconds: ms / 1000, failed: index < errors) }
        for index in 0..<max(mismatches, 1) { window.recordMirror(differed: index < mismatches) }
        return window
    }

    private func judge(_ new: CallWindow, _ previous: CallWindow, _ thresholds: AnalysisThresholds = AnalysisThresholds()) -> StepVerdict {
        StepVerdict.judge(percent: 10, newVersion: 2, new: new, previousVersion: 1, previous: previous, thresholds: thresholds)
    }

    @Test func aStepLikeThePreviousVersionPasses() {
        let verdict = judge(window(calls: 50, ms: 2), window(calls: 450, ms: 2))
        #expect(verdict.passed && verdict.failedCheck == nil)
        #expect(verdict.summary.hasPrefix("step 10%: v2 passed"))
    }

    @Test func moreThanOnePointMoreErrorsFails() {
        #expect(judge(window(calls: 100, errors: 1, ms: 2), window(calls: 100, ms: 2)).passed, "one point is allowed")
        let verdict = judge(window(calls: 100, errors: 2, ms: 2), window(calls: 100, ms: 2))
        #expect(verdict.failedCheck == .errors)
        #expect(verdict.summary.contains("errors 2% (2 of 100) > 0% of v1 + 1 points"), "\(verdict.summary)")
        #expect(judge(window(calls: 100, errors: 6, ms: 2), window(calls: 100, errors: 5, ms: 2)).passed, "no worse than v1 + 1")
    }

    @Test func aP95OverTwiceThePreviousFailsAboveTheFloor() {
        let slow = judge(window(calls: 100, ms: 120), window(calls: 100, ms: 2))
        #expect(slow.failedCheck == .latency && slow.summary.contains("p95"), "\(slow.summary)")
        #expect(judge(window(calls: 100, ms: 20), window(calls: 100, ms: 2)).passed, "under the 25 ms floor")
        #expect(judge(window(calls: 100, ms: 60), window(calls: 100, ms: 40)).passed, "under twice the previous")
        #expect(judge(window(calls: 100, ms: 90), window(calls: 100, ms: 40)).failedCheck == .latency)
    }

    /// The p95 of 12 calls is their slowest: the check reads the low end of its confidence
    /// range instead (their third slowest), so one stall fails no sound version — three do.
    @Test func oneStallInAFewCallsIsNoSlowVersion() {
        func few(stalls: Int) -> CallWindow {
            var window = CallWindow()
            for index in 0..<12 { window.record(seconds: index < stalls ? 1.234 : 0.005, failed: false) }
            return window
        }
        let one = judge(few(stalls: 1), window(calls: 120, ms: 5))
        #expect(one.passed && one.summary.contains("p95 1"), "\(one.summary)")
        #expect(one.summary.contains("(at least 5"), "a p95 over the allowance says why it passed: \(one.summary)")
        #expect(few(stalls: 1).p95Ms ?? 0 > 1000 && few(stalls: 1).p95LowMs ?? 99 < 10)
        let three = judge(few(stalls: 3), window(calls: 120, ms: 5))
        #expect(three.failedCheck == .latency, "\(three.summary)")
        #expect(three.summary.contains("at least") && three.summary.contains("over 12 calls"), "\(three.summary)")
    }

    /// The rank is the distribution-free bound: binomial, summed exactly for few calls, and
    /// the normal approximation past that — within a rank of the sum where they meet.
    @Test func theLowRankOfAP95() {
        #expect(CallWindow.lowRank(calls: 1, quantile: 0.95) == 1)
        #expect(CallWindow.lowRank(calls: 10, quantile: 0.95) == 8)
        #expect(CallWindow.lowRank(calls: 12, quantile: 0.95) == 10)
        let exact = CallWindow.lowRank(calls: CallWindow.exactRankCalls, quantile: 0.95)
        let approximated = CallWindow.lowRank(calls: CallWindow.exactRankCalls + 1, quantile: 0.95)
        #expect(abs(approximated - exact) <= 2, "\(exact) then \(approximated)")
        #expect(CallWindow.lowRank(calls: 100_000, quantile: 0.95) == 94_886)   // 95,000 − 1.645 σ, σ = 68.9
    }

    @Test func anyAnswerThatDifferedFailsHoweverFewTheCalls() {
        let verdict = judge(window(calls: 1, ms: 2, mismatches: 1), window(calls: 1, ms: 2))
        #expect(verdict.failedCheck == .answers && verdict.summary.contains("1 of 1 mirrored reads"), "\(verdict.summary)")
    }

    @Test func tooFewCallsPassSayingSo() {
        let verdict = judge(window(calls: 3, errors: 3, ms: 500), window(calls: 100, ms: 2))
        #expect(verdict.passed && verdict.summary.contains("too few calls"))
    }

    // MARK: Mirrored answers

    private let account = UUID()
    private func note(_ content: String, at milliseconds: Double, id: UUID = UUID()) -> Note {
        let stamp = Date(timeIntervalSince1970: 1_700_000_000 + milliseconds / 1000)
        return Note(id: id, creator: account, createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: stamp, content: content)
    }

    @Test func theSameNoteWithAnotherContentDiffers() {
        let id = UUID()
        #expect(MirroredAnswers.differ(.note(note("a", at: 1, id: id)), then: .note(note("b", at: 1, id: id))))
        #expect(!MirroredAnswers.differ(.note(note("a", at: 1, id: id)), then: .note(note("a", at: 1, id: id))))
    }

    @Test func aWriteBetweenTheTwoReadsIsNoMismatch() {
        let id = UUID()
        #expect(!MirroredAnswers.differ(.note(note("a", at: 1, id: id)), then: .note(note("b", at: 2, id: id))), "edited between")
        #expect(!MirroredAnswers.differ(.note(nil), then: .note(note("a", at: 1, id: id))), "created between")
        #expect(!MirroredAnswers.differ(.note(note("a", at: 1, id: id)), then: .note(nil)), "deleted between")
        #expect(MirroredAnswers.differ(.note(note("b", at: 2, id: id)), then: .note(note("a", at: 1, id: id))), "older after newer")
    }

    @Test func listsAreComparedNoteByNote() {
        let (one, two) = (UUID(), UUID())
        let first = NoteStoreAnswer.notes([note("a", at: 1, id: one), note("b", at: 1, id: two)])
        #expect(!MirroredAnswers.differ(first, then: .notes([note("a", at: 1, id: one)])), "one deleted between")
        #expect(!MirroredAnswers.differ(first, then: .notes([note("a", at: 1, id: one), note("c", at: 3, id: two), note("d", at: 4)])))
        #expect(MirroredAnswers.differ(first, then: .notes([note("a", at: 1, id: one), note("x", at: 1, id: two)])))
    }

    @Test func onlyNoteReadsAreMirrored() {
        #expect(MirroredAnswers.isMirrorable(.getNote(accountId: account, noteId: UUID())))
        #expect(MirroredAnswers.isMirrorable(.listNotes(accountId: account)))
        #expect(!MirroredAnswers.isMirrorable(.createNote(accountId: account, note: note("a", at: 1))))
        #expect(!MirroredAnswers.isMirrorable(.describePlacement))
    }

    // MARK: Bad versions on purpose

    @Test func badVersionsMisbehaveOnlyAsTheySay() {
        #expect(Misbehaviour.slow.before() == .wait(Misbehaviour.addedLatency))
        #expect(Misbehaviour.errors.before(roll: 0.1) == .refuse && Misbehaviour.errors.before(roll: 0.9) == .run)
        #expect(Misbehaviour.wrong.before() == .run)
        let original = note("a", at: 1)
        guard case .note(let spoiled?) = Misbehaviour.wrong.answer(.note(original), proxyId: 2, roll: 0) else {
            Issue.record("no note")
            return
        }
        #expect(spoiled.id == original.id && spoiled.updatedAt == original.updatedAt && spoiled.content != original.content)
        #expect(MirroredAnswers.differ(.note(original), then: .note(spoiled)), "a mirrored read catches it")
        #expect(Misbehaviour.wrong.answer(.note(original), proxyId: 2, roll: 0.99) == .note(original))
        #expect(Misbehaviour.wrong.answer(.done, proxyId: 2, roll: 0) == .done, "a write's answer is never spoiled")
        #expect(Misbehaviour.slow.answer(.note(original), proxyId: 2, roll: 0) == .note(original))
        #expect(ProxyClientError.rpc(proxyId: 2, Misbehaviour.refusal(proxyId: 2)).isRefused)
        #expect(!ProxyClientError.rpc(proxyId: 2, .internalError("x")).isRefused)
    }
}
