/// How a proxy child tells its parent the port it got: it binds port 0 itself (no window in
/// which another process can take a port the parent picked) and writes this one line to stdout
/// once it listens. Its logs go to stderr, so stdout carries nothing else.
public enum ListeningLine {
    static let prefix = "notely-proxy listening on 127.0.0.1:"

    public static func line(port: Int) -> String { prefix + String(port) }

    /// The port in a line, or nil when the line is not this one.
    static func port(in line: some StringProtocol) -> Int? {
        guard line.hasPrefix(prefix) else { return nil }
        return Int(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
