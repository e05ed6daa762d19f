import Foundation

/// UUIDs as text, by hand: every note carries two on the wire and in SQLite, and Foundation's
/// `uuidString` and `UUID(uuidString:)` go through `sprintf` and `sscanf` (a few percent of a
/// proxy's CPU, BENCHMARKS.md).
///
/// Two spellings, 8-4-4-4-12: everything Notely writes for people and programs (JSON, errors,
/// logs) is canonical lower case (RFC 9562), and every reader accepts either case; SQLite keeps
/// the upper case it has always stored (`storage`), so existing data dirs open unchanged and
/// two proxy versions of a rollout never disagree on a key.
public enum UUIDText {
    private static let lowerHexDigits = Array("0123456789abcdef".utf8)
    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    /// Canonical text: lower case.
    public static func format(_ id: UUID) -> String { format(id, digits: lowerHexDigits) }

    /// The key as SQLite stores it: upper case.
    public static func storage(_ id: UUID) -> String { format(id, digits: upperHexDigits) }

    private static func format(_ id: UUID, digits hexDigits: [UInt8]) -> String {
        withUnsafeBytes(of: id.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = hexDigits[Int(byte >> 4)]
                    buffer[position + 1] = hexDigits[Int(byte & 0x0f)]
                    position += 2
                }
                return position
            }
        }
    }

    /// Parses either case; nil for anything that is not a UUID.
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var result: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &result) { output -> Bool in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard bytes[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = nibble(bytes[position]), let low = nibble(bytes[position + 1]) else { return false }
                output[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return parsed ? UUID(uuid: result) : nil
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension UUID {
    /// Canonical lower-case text, made without `sprintf`.
    public var uuidText: String { UUIDText.format(self) }
    /// The upper-case text SQLite stores as the key.
    var storageText: String { UUIDText.storage(self) }
}
