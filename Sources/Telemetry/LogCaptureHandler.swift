import Foundation
import Logging

/// A swift-log backend that writes formatted lines into a `LogCapture` (and, when asked,
/// to stderr too — the headless mode and the proxy child use that; the dashboard never does).
public struct LogCaptureHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let capture: LogCapture?
    private let alsoStderr: Bool

    public init(label: String, capture: LogCapture?, alsoStderr: Bool = false) {
        self.label = label
        self.capture = capture
        self.alsoStderr = alsoStderr
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let line = LogFormat.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        capture?.append(line)
        if alsoStderr { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

/// The one format of a log line everywhere in Notely: `HH:MM:SS level label: message k=v`.
public enum LogFormat {
    public static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        let clock = time.formatted(Date.ISO8601FormatStyle(timeZone: .current).time(includingFractionalSeconds: false))
        let extras = metadata.isEmpty ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(clock) \(level.rawValue.uppercased()) \(label): \(message)\(extras)"
    }
}
