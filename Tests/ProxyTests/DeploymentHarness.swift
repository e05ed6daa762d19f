import Foundation
import Logging
import Synchronization
import Telemetry
import TestSupport
@testable import Proxy
@testable import Store

/// A deployment controller over real proxy children on a temporary data dir.
struct DeploymentHarness {
    let directory = TemporaryDirectory("notely-deploy")
    let stats = StatsCollector()
    let logs = LogCapture()
    let controller: DeploymentController

    init(rolloutWait: Duration = .seconds(1), executable: URL? = nil, readyTimeout: Duration = busyMachineReadyTimeout,
         rebuilder: Rebuilder? = nil, engine: ShardEngine = .sqlite, plan: RolloutPlan? = nil,
         thresholds: AnalysisThresholds = AnalysisThresholds()) throws {
        var launch = ProxyLaunchConfiguration(executable: try executable ?? notelyExecutable(), dataDirectory: directory.path + "/data",
                                              workingDirectory: directory.url, logCapture: logs)
        launch.readyTimeout = readyTimeout
        if engine == .postgres {
            launch.postgresURL = try TestPostgres.url()
            try ShardedNoteStore(dataDirectory: DataDirectory(path: launch.dataDirectory), shardCountIfNew: 2, engineIfNew: .postgres,
                                 postgres: TestPostgres.settings()).close()
        }
        let capture = logs
        controller = DeploymentController(configuration: .init(launch: launch, rolloutWait: rolloutWait, rebuilder: rebuilder,
                                                               plan: plan, thresholds: thresholds),
                                          stats: stats, logger: Logger(label: "test") { LogCaptureHandler(label: $0, capture: capture) })
    }

    /// Waits until the controller reports `status` (and no deploy runs).
    func waitFor(_ status: DeploymentStatus, timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(timeout: timeout) { controller.snapshot().status == status && controller.snapshot().targetVersion == nil }
    }

    /// A shell script standing in for `notely` that starts a real proxy for every version but
    /// `neverReady`, which just sleeps: a version that never becomes ready.
    static func scriptNeverReady(version neverReady: Int, in directory: TemporaryDirectory) throws -> URL {
        let script = directory.url.appendingPathComponent("notely-never-ready.sh")
        try """
            #!/bin/sh
            case " $* " in *" --proxy-id \(neverReady) "*) exec sleep 600 ;; esac
            exec "\(try notelyExecutable().path)" "$@"
            """.write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        return script
    }
}

/// Steady traffic through a `NoteStore`: each worker creates, reads back, updates and lists
/// notes of its own account, checking every answer. Failures keep their time.
final class Traffic: Sendable {
    struct Failure: Sendable {
        /// When the call that failed was made: a call made to a proxy before it died may fail
        /// only later, when its connection is torn down.
        let callStartedAt: ContinuousClock.Instant
        let description: String
    }

    private let failures = Mutex<[Failure]>([])
    private let mismatches = Mutex<[String]>([])
    private let operations = Atomic<Int>(0)
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(store: any NoteStore, workers: Int = 4) {
        let started = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask { await self.work(store) }
                }
            }
        }
        task.withLock { $0 = started }
    }

    var failureList: [Failure] { failures.withLock { $0 } }
    var mismatchList: [String] { mismatches.withLock { $0 } }
    var operationCount: Int { operations.load(ordering: .relaxed) }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }

    private func work(_ store: any NoteStore) async {
        let account = UUID()
        var mine: [UUID: String] = [:]
        var step = 0
        var callStartedAt = ContinuousClock.now
        func call<T>(_ body: () async throws -> T) async throws -> T {
            callStartedAt = .now
            return try await body()
        }
        while !Task.isCancelled {
            step += 1
            do {
                if let (id, _) = mine.first, step % 3 == 0 {
                    let note = try await call { try await store.getNote(accountId: account, noteId: id) }
                    if note?.content != mine[id] { mismatch("read \(note?.content ?? "nil"), expected \(mine[id] ?? "nil")") }
                    let edited = try require(note).edited(content: "edit \(step)")
                    try await call { try await store.updateNote(accountId: account, note: edited) }
                    mine[id] = edited.content
                } else if step % 5 == 0 {
                    let listed = try await call { try await store.listNotes(accountId: account) }
                    if Dictionary(uniqueKeysWithValues: listed.map { ($0.id, $0.content) }) != mine { mismatch("list disagrees") }
                } else {
                    let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "note \(step)")
                    try await call { try await store.createNote(accountId: account, note: note) }
                    mine[note.id] = note.content
                    if mine.count > 10, let oldest = mine.keys.first {
                        let old = try require(try await call { try await store.getNote(accountId: account, noteId: oldest) })
                        try await call { try await store.deleteNote(accountId: account, note: old) }
                        mine[oldest] = nil
                    }
                }
                operations.add(1, ordering: .relaxed)
            } catch {
                if Task.isCancelled { return }
                failures.withLock { $0.append(Failure(callStartedAt: callStartedAt, description: "\(error)")) }
                // Forget what may or may not have happened; start over with a new account.
                return await work(store)
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func mismatch(_ text: String) { mismatches.withLock { $0.append(text) } }
}

