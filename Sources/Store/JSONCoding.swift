import Foundation

/// The one JSON style of Notely's wire formats: stable key order (readable diffs and docs)
/// and unescaped slashes.
public enum JSONCoding {
    /// One shared encoder: Foundation's `JSONEncoder` is Sendable and safe to use from many
    /// tasks at once (each `encode` works on its own copy of the options), and making a new
    /// one per call is measurable on the RPC path.
    private static let shared: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func encoder() -> JSONEncoder { shared }
}
