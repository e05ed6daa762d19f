import Foundation

/// The one JSON style of Notely's wire formats: stable key order (readable diffs and docs)
/// and unescaped slashes.
public enum JSONCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
