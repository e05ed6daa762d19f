import Foundation
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

/// Independent REST clients doing read-your-writes against a running `notely`, as the issue's
/// measurements do: each creates notes, reads them back, edits and deletes them, and checks
/// every answer. It keeps every failure, and the longest stretch without a successful answer.
final class RESTLoad: Sendable {
    private struct Record {
        var successes = 0
        var failures: [String] = []
        var mismatches: [String] = []
        var lastSuccess = ContinuousClock.now
        var longestGap: Duration = .zero
        var longestCall: Duration = .zero
        /// Notes whose create or last edit was acknowledged, with their content, and a write
        /// sent after that whose answer never came (it may have landed).
        var acknowledged: [String: (account: String, content: String, pending: String?)] = [:]
    }

    private let record = Mutex(Record())
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    let baseURL: String

    init(baseURL: String, clients: Int = 6) {
        self.baseURL = baseURL
        let started = Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<clients { group.addTask { await self.run(client) } }
            }
        }
        task.withLock { $0 = started }
    }

    var successes: Int { record.withLock { $0.successes } }
    var failures: [String] { record.withLock { $0.failures } }
    var mismatches: [String] { record.withLock { $0.mismatches } }
    var longestGap: Duration { record.withLock { $0.longestGap } }
    /// The longest any one request took, successful or not.
    var longestCall: Duration { record.withLock { $0.longestCall } }
    var acknowledged: [String: (account: String, content: String, pending: String?)] { record.withLock { $0.acknowledged } }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }

    private func run(_ client: Int) async {
        guard let account = try? await call(.POST, "/accounts", body: #"{"name":"rest-load-\#(client)"}"#, expect: 201)?["id"] as? String
        else { return }
        var mine: [String: String] = [:]
        var step = 0
        while !Task.isCancelled {
            step += 1
            let notes = "/accounts/\(account)/notes"
            if let (id, expected) = mine.first(where: { _ in step % 2 == 0 }) {
                guard let read = try? await call(.GET, "\(notes)/\(id)", expect: 200) else { continue }
                if read["content"] as? String != expected { mismatch("read \(read["content"] ?? "nil"), expected \(expected)") }
                let edited = "edit \(client)-\(step)"
                sending(id, edited)
                do {
                    _ = try await call(.PUT, "\(notes)/\(id)", body: #"{"content":"\#(edited)"}"#, expect: 200)
                    mine[id] = edited
                    acknowledge(id, account, edited)
                } catch {
                    mine[id] = nil   // may or may not have happened: stop checking it
                }
            } else if mine.count >= 5, let id = mine.keys.first {
                mine[id] = nil
                forget(id)
                _ = try? await call(.DELETE, "\(notes)/\(id)", expect: 204)
            } else {
                let content = "note \(client)-\(step)"
                if let id = try? await call(.POST, notes, body: #"{"content":"\#(content)"}"#, expect: 201)?["id"] as? String {
                    mine[id] = content
                    acknowledge(id, account, content)
                }
            }
        }
    }

    /// One request; a failure (anything but `expect`) is recorded and thrown.
    private func call(_ method: HTTPMethod, _ path: String, body: String? = nil, expect: Int) async throws -> [String: Any]? {
        let start = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - start
            if !Task.isCancelled { record.withLock { $0.longestCall = max($0.longestCall, took) } }
        }
        do {
            let answer = try await httpRequest(method, baseURL + path, body: body)
            guard answer.status == expect else { throw TestSetupError("\(method) \(path): \(answer.status) \(answer.text)") }
            succeeded()
            return answer.json as? [String: Any]
        } catch {
            if !Task.isCancelled { record.withLock { $0.failures.append("\(error)") } }
            throw error
        }
    }

    private func succeeded() {
        let now = ContinuousClock.now
        record.withLock { record in
            record.successes += 1
            record.longestGap = max(record.longestGap, now - record.lastSuccess)
            record.lastSuccess = now
        }
    }

    private func acknowledge(_ id: String, _ account: String, _ content: String) {
        record.withLock { $0.acknowledged[id] = (account, content, nil) }
    }

    private func sending(_ id: String, _ content: String) {
        record.withLock { $0.acknowledged[id]?.pending = content }
    }

    private func forget(_ id: String) { record.withLock { _ = $0.acknowledged.removeValue(forKey: id) } }
    private func mismatch(_ text: String) { record.withLock { $0.mismatches.append(text) } }
}

extension RESTLoad {
    /// Once traffic has gone on (200 more successes), stops the clients; then no request
    /// failed, no read disagreed with the writes before it, and every acknowledged note reads
    /// back as written (or as a write whose answer never came, which may have landed).
    func stopAndExpectNothingLost(in notely: HeadlessProcess, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = successes
        #expect(await eventually(timeout: .seconds(20)) { self.successes >= before + 200 }, "traffic did not go on",
                sourceLocation: sourceLocation)
        await stop()
        #expect(failures.isEmpty, "\(failures.count) failed: \(failures.prefix(5))", sourceLocation: sourceLocation)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))", sourceLocation: sourceLocation)
        try await expectEveryAcknowledgedNote(in: notely, sourceLocation: sourceLocation)
    }

    /// Every acknowledged note reads back as written, or as a write whose answer never came.
    func expectEveryAcknowledgedNote(in notely: HeadlessProcess, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (id, note) in acknowledged {
            let read = try await notely.request(.GET, "/accounts/\(note.account)/notes/\(id)")
            let content = read.json["content"] as? String
            #expect(content == note.content || content == note.pending, "acknowledged note \(id) lost: \(read.text)",
                    sourceLocation: sourceLocation)
        }
    }
}
