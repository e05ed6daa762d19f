import Foundation

/// A person who writes notes. Accounts live in the main process; notes live behind the proxy.
public struct Account: Codable, Hashable, Sendable, Identifiable {
    enum CodingKeys: String, CodingKey { case id, name }

    public var id: UUID
    public var name: String

    public init(id: UUID = UUID(), name: String) {
        self.id = id
        self.name = name
    }

    /// The id as canonical lower-case text (`Codable`'s own UUID spelling is upper case).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidText, forKey: .id)
        try container.encode(name, forKey: .name)
    }
}
