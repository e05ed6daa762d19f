import Foundation

/// A person who writes notes. Accounts live in the main process; notes live behind the proxy.
public struct Account: Codable, Hashable, Sendable, Identifiable {
    public var id: UUID
    public var name: String

    public init(id: UUID = UUID(), name: String) {
        self.id = id
        self.name = name
    }
}

/// One note. `creator` is the owning account and decides the shard the note lives on.
public struct Note: Codable, Hashable, Sendable, Identifiable {
    public var id: UUID
    public var creator: UUID
    public var createdAt: Date
    public var updatedAt: Date
    public var content: String

    public init(id: UUID = UUID(), creator: UUID, createdAt: Date, updatedAt: Date, content: String) {
        self.id = id
        self.creator = creator
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case id, creator, createdAt, updatedAt, content
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try Self.uuid(container, .id)
        creator = try Self.uuid(container, .creator)
        createdAt = try Timestamp.decode(container.decode(String.self, forKey: .createdAt), field: "createdAt")
        updatedAt = try Timestamp.decode(container.decode(String.self, forKey: .updatedAt), field: "updatedAt")
        content = try container.decode(String.self, forKey: .content)
    }

    private static func uuid(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> UUID {
        let text = try container.decode(String.self, forKey: key)
        guard let id = UUIDText.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a UUID: \(text)")
        }
        return id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidText, forKey: .id)
        try container.encode(creator.uuidText, forKey: .creator)
        try container.encode(Timestamp.encode(createdAt), forKey: .createdAt)
        try container.encode(Timestamp.encode(updatedAt), forKey: .updatedAt)
        try container.encode(content, forKey: .content)
    }
}

extension Note {
    /// Notes are stored and sent with millisecond precision; rounding once on creation keeps
    /// a note equal to itself after a round trip through JSON or SQLite.
    public static func now() -> Date { Timestamp.roundedToMilliseconds(Date()) }
}
