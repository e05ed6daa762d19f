import Foundation

/// A `Date` coded as an RFC 3339 timestamp (see `Timestamp`), so a Codable type whose other
/// fields need nothing special can keep its synthesized coding.
@propertyWrapper
public struct RFC3339: Codable, Hashable, Sendable {
    public var wrappedValue: Date

    public init(wrappedValue: Date) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        wrappedValue = try Timestamp.decode(text, field: decoder.codingPath.last?.stringValue ?? "timestamp")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Timestamp.encode(wrappedValue))
    }
}
