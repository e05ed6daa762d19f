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
