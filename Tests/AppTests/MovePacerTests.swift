import Testing
@testable import App

/// The pacing of a move's steps (`MovePacer`) and the rate a change moves notes at
/// (`MoveRate`): pure, so fed figures rather than timed.
@Suite struct MovePacerTests {
    @Test func alonePacingRunsStepsBackToBackAndGrowsTheBatchWhileStepsAreQuick() {
        var pacer = MovePacer()
        for _ in 0..<20 { pacer.adapt(stepSeconds: 0.002, p99: nil) }
        #expect(pacer.pause == 0, "no other calls: nothing to wait for")
        #expect(pacer.batch == MovePacer.maxBatch, "quick steps grow the batch to the most: \(pacer.batch)")
    }

    @Test func stepsAimAtTheCallsSteadyP99AndTakeAtMostTwoThirdsOfTheTime() {
        var pacer = MovePacer()
        pacer.observeSteady(p99: 0.010)
        #expect(abs(pacer.targetStep - 0.008) < 1e-9)
        pacer.adapt(stepSeconds: 0.001, p99: 0.012)   // quick: the batch grows, by half at most
        #expect(pacer.batch == 300)
        pacer.adapt(stepSeconds: 0.016, p99: 0.012)   // twice as slow as the target: the batch halves
        #expect(pacer.batch == 150)
        #expect(abs(pacer.pause - 0.008) < 1e-9, "the pause is at least half the step")
    }

    /// A step's round trips set a floor under its target: however quick the other calls
    /// are, a step is allowed long enough to be mostly notes.
    @Test func aStepsRoundTripsSetAFloorUnderItsTarget() {
        var pacer = MovePacer()
        pacer.observeSteady(p99: 0.002)
        #expect(pacer.targetStep == MovePacer.minTargetStep)
    }

    @Test func aJumpInTheCallsP99BacksOffAndANewLevelIsLearnt() {
        var pacer = MovePacer()
        pacer.observeSteady(p99: 0.003)
        pacer.adapt(stepSeconds: 0.002, p99: 0.003)
        let batch = pacer.batch
        pacer.adapt(stepSeconds: 0.002, p99: 0.020)   // a jump: back off
        #expect(pacer.backingOff == 1 && pacer.batch < batch && pacer.pause >= 0.005)
        for _ in 0..<60 { pacer.adapt(stepSeconds: 0.002, p99: 0.020) }   // it stays: a new level (PostgreSQL's calls)
        #expect(pacer.backingOff == 0, "a level that stays is learnt, not backed off from for ever")
        #expect(pacer.pause <= MovePacer.maxPause)
    }

    @Test func aBatchCapIsNeverExceeded() {
        var pacer = MovePacer(batchCap: 20)
        #expect(pacer.batch == 20)
        for _ in 0..<10 { pacer.adapt(stepSeconds: 0.0001, p99: nil) }
        #expect(pacer.batch == 20)
        for _ in 0..<10 { pacer.adapt(stepSeconds: 1, p99: nil) }
        #expect(pacer.batch == 20, "the least batch is the cap when the cap is smaller")
    }

    @Test func theRateIsTheNotesLeftGoingDownAndTheTimeLeftFollows() {
        var rate = MoveRate()
        rate.record(notesLeft: 10_000, at: 100)
        #expect(rate.notesPerSecond == nil, "one sample says nothing")
        rate.record(notesLeft: 7_000, at: 100.5)
        rate.record(notesLeft: 4_000, at: 101)
        #expect(rate.notesPerSecond == 6_000)
        #expect(rate.etaSeconds(notesLeft: 4_000).map { abs($0 - 4_000.0 / 6_000) < 1e-9 } == true)
        rate.record(notesLeft: 9_000, at: 102)   // more to copy than before: a new change, counted afresh
        #expect(rate.notesPerSecond == nil)
    }
}
