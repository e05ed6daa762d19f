import Store

/// The methods a data proxy serves (the protocol contract; see docs/PROTOCOL.md): every
/// note-store operation, and three of the proxy's own that bypass the store lock.
public enum RPCMethod: Hashable, Sendable {
    case store(NoteStoreOperation)
    case ready
    case exportShardStats
    /// Sets or clears a demo fault (`Misbehaviour`).
    case setFault

    public init?(name: String) {
        switch name {
        case "Ready": self = .ready
        case "ExportShardStats": self = .exportShardStats
        case "SetFault": self = .setFault
        default:
            guard let operation = NoteStoreOperation(rawValue: name) else { return nil }
            self = .store(operation)
        }
    }

    public var name: String {
        switch self {
        case .store(let operation): operation.rawValue
        case .ready: "Ready"
        case .exportShardStats: "ExportShardStats"
        case .setFault: "SetFault"
        }
    }
}
