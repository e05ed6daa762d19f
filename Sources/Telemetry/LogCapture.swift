import Foundation
import Synchronization

/// One captured line of output.
public struct LogLine: Sendable, Hashable {
    /// Increases by one per line over the capture's life; lets readers ask for "what is new".
    public let sequence: Int
    public let text: String
}

/// Keeps the last lines of the app's and every proxy's output, so the dashboard can show them
/// and nothing writes to a terminal the UI owns. Bounded; safe for concurrent writers; a chunk
/// without a trailing newline waits (per source) until the rest of its line arrives.
public final class LogCapture: Sendable {
    public static let defaultCapacity = 1000

    private struct State {
        var lines: [LogLine] = []
        var start = 0
        var nextSequence = 0
        var partial: [String: String] = [:]
    }

    public let capacity: Int
    private let state = Mutex(State())
    private let echo: (@Sendable (String) -> Void)?

    /// - Parameter echo: also called with every line (headless mode sends them to stderr).
    public init(capacity: Int = LogCapture.defaultCapacity, echo: (@Sendable (String) -> Void)? = nil) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.echo = echo
    }

    /// Adds one whole line.
    public func append(_ text: String) {
        state.withLock { state in appendLocked(text, &state) }
    }

    /// Adds raw output from `source`, joining partial writes into whole lines; each finished
    /// line starts with `linePrefix` (e.g. `[v2] ` for a proxy's output).
    public func write(_ chunk: String, source: String = "", linePrefix: String = "") {
        state.withLock { state in
            var pending = state.partial[source, default: ""] + chunk
            while let newline = pending.firstIndex(of: "\n") {
                appendLocked(linePrefix + String(pending[..<newline]), &state)
                pending = String(pending[pending.index(after: newline)...])
            }
            state.partial[source] = pending.isEmpty ? nil : pending
        }
    }

    /// Emits what is left of a source's partial line (e.g. when its pipe closes).
    public func flush(source: String = "", linePrefix: String = "") {
        state.withLock { state in
            if let pending = state.partial.removeValue(forKey: source), !pending.isEmpty {
                appendLocked(linePrefix + pending, &state)
            }
        }
    }

    /// The retained lines, oldest first.
    public func lines() -> [LogLine] {
        state.withLock { state in
            Array(state.lines[state.start...] + state.lines[..<state.start])
        }
    }

    private func appendLocked(_ text: String, _ state: inout State) {
        let line = LogLine(sequence: state.nextSequence, text: text)
        state.nextSequence += 1
        if state.lines.count < capacity {
            state.lines.append(line)
        } else {
            state.lines[state.start] = line
            state.start = (state.start + 1) % capacity
        }
        echo?(text)
    }
}
