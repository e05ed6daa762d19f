import Foundation
import Histogram
import Store
import Synchronization
import Telemetry

/// The op mix every store benchmark runs, read-heavy like a notes app: reads 50 %, lists
/// 20 %, creates 15 %, updates 10 %, deletes 5 %. Each client works on its own account and
/// keeps 5–20 notes.
struct NoteWorkload: Sendable {
    let store: any NoteStore
    let account = UUID()
    private(set) var notes: [Note] = []

    init(store: any NoteStore) {
        self.store = store
    }

    mutating func seed(_ count: Int) async throws {
        for index in 0..<count { try await create("seed \(index)") }
    }

    mutating func step(using random: inout some RandomNumberGenerator) async throws {
        let roll = Int.random(in: 0..<100, using: &random)
        if notes.count < 5 || (roll >= 70 && roll < 85 && notes.count < 20) {
            try await create("note \(roll)")
        } else if roll < 50 {
            _ = try await store.getNote(accountId: account, noteId: notes.randomElement(using: &random)!.id)
        } else if roll < 70 {
            _ = try await store.listNotes(accountId: account)
        } else if roll < 95 {
            let index = Int.random(in: 0..<notes.count, using: &random)
            notes[index] = notes[index].edited(content: "edited \(roll)")
            try await store.updateNote(accountId: account, note: notes[index])
        } else {
            try await store.deleteNote(accountId: account, note: notes.removeLast())
        }
    }

    private mutating func create(_ content: String) async throws {
        let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: content)
        try await store.createNote(accountId: account, note: note)
        notes.append(note)
    }
}

/// Latencies in microseconds, split by a phase flag the benchmark flips (steady vs rollout).
final class LatencyRecorder: Sendable {
    private struct State {
        var histograms: [String: Histogram<UInt64>] = [:]
        var counts: [String: Int] = [:]
        var failures: [String: Int] = [:]
        var lastSuccess: ContinuousClock.Instant?
        /// The longest stretch without a successful answer, per phase (across all clients).
        var longestGaps: [String: Duration] = [:]
        /// The longest call, failed or not, per phase.
        var longestCalls: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let phase = Mutex("run")

    func setPhase(_ name: String) { phase.withLock { $0 = name } }
    var currentPhase: String { phase.withLock { $0 } }

    func record(_ microseconds: UInt64, phase: String, failed: Bool) {
        let now = ContinuousClock.now
        state.withLock { state in
            if failed {
                state.failures[phase, default: 0] += 1
            } else {
                if let last = state.lastSuccess { state.longestGaps[phase] = max(state.longestGaps[phase] ?? .zero, now - last) }
                state.lastSuccess = now
                _ = state.histograms[phase, default: Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)]
                    .record(max(1, min(microseconds, 60_000_000)))
            }
            state.counts[phase, default: 0] += 1
            state.longestCalls[phase] = max(state.longestCalls[phase] ?? 0, microseconds)
        }
    }

    func count(_ phase: String) -> Int { state.withLock { $0.counts[phase] ?? 0 } }
    func failures(_ phase: String) -> Int { state.withLock { $0.failures[phase] ?? 0 } }
    func longestGap(_ phase: String) -> Duration { state.withLock { $0.longestGaps[phase] ?? .zero } }
    func longestCallMs(_ phase: String) -> Double { state.withLock { Double($0.longestCalls[phase] ?? 0) / 1000 } }
    func percentile(_ phase: String, _ percentile: Double) -> Double {
        state.withLock { Double($0.histograms[phase]?.valueAtPercentile(percentile) ?? 0) }
    }
}

/// Runs `clients` concurrent loops of `step` for `duration` and returns ops/s, latencies and
/// the CPU each operation cost this process and, given its pid, the proxy.
func measureThroughput<Client: Sendable>(
    clients: Int, duration: Duration, proxyPid: Int32? = nil,
    makeClient: @escaping @Sendable (Int) async throws -> Client,
    step: @escaping @Sendable (inout Client, inout SystemRandomNumberGenerator) async throws -> Void
) async throws -> BenchFigures.Throughput {
    let recorder = LatencyRecorder()
    var prepared: [Client] = []
    for index in 0..<clients { prepared.append(try await makeClient(index)) }
    let (ownCPUBefore, proxyCPUBefore) = (ProcessCPU.own(), proxyPid.flatMap(ProcessCPU.of))
    let started = ContinuousClock.now
    let deadline = started + duration
    await withTaskGroup(of: Void.self) { group in
        for client in prepared {
            group.addTask {
                var client = client
                var random = SystemRandomNumberGenerator()
                while ContinuousClock.now < deadline {
                    let begin = ContinuousClock.now
                    var failed = false
                    do { try await step(&client, &random) } catch { failed = true }
                    recorder.record((ContinuousClock.now - begin).microseconds, phase: "run", failed: failed)
                }
            }
        }
    }
    let seconds = (ContinuousClock.now - started).seconds
    let ownCPU = ProcessCPU.own() - ownCPUBefore
    let operations = Double(max(1, recorder.count("run")))
    var proxyCpuUsPerOp: Double?
    if let proxyCPUBefore, let proxyCPU = proxyPid.flatMap(ProcessCPU.of) {
        proxyCpuUsPerOp = Double((proxyCPU - proxyCPUBefore).microseconds) / operations
    }
    return BenchFigures.Throughput(opsPerSec: Double(recorder.count("run") - recorder.failures("run")) / seconds,
                                   p50Us: recorder.percentile("run", 50), p99Us: recorder.percentile("run", 99),
                                   failures: recorder.failures("run"),
                                   benchCpuUsPerOp: Double(ownCPU.microseconds) / operations,
                                   proxyCpuUsPerOp: proxyCpuUsPerOp)
}
