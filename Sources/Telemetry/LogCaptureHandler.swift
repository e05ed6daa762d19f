import Foundation
import Logging

/// A swift-log backend that writes formatted lines into a `LogCapture` (the service: the
/// dashboard shows them, the headless mode echoes them) or straight to a line sink such as
/// `StandardError.writeLine` (a proxy child, the bench).
public struct LogCaptureHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, capture: LogCapture) {
        self.init(label: label, write: capture.append)
    }

    public init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let line = LogFormat.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        write(line)
    }
}

/// Whole lines to stderr, where the headless mode and a proxy child log.
public enum StandardError {
    @Sendable public static func writeLine(_ line: String) {
        StandardStream.writeLine(line, to: STDERR_FILENO)
    }
}

/// Whole lines to stdout: a proxy child's one line that tells its parent the port it got.
public enum StandardOutput {
    @Sendable public static func writeLine(_ line: String) {
        StandardStream.writeLine(line, to: STDOUT_FILENO)
    }
}

/// Writes with `write(2)` and drops what can't be written. A log line must never crash a
/// process: `FileHandle.write` traps when the reader of a pipe is gone (a parent killed with
/// `kill -9`) or the disk is full, and a crashing proxy lingers in the crash reporter holding
/// its port and files. (SIGPIPE is ignored in every Notely process, see `Main`.)
enum StandardStream {
    static func writeLine(_ line: String, to descriptor: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return   // EPIPE, ENOSPC, EBADF …: the line is lost, the process goes on
                }
            }
        }
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
