import Foundation

/// The five kinds of data-store access counted per shard.
public enum DataStoreOperation: String, CaseIterable, Sendable, Codable {
    case list, read, create, update, delete

    /// The JSON key of this operation in `DataStoreStats` (part of the protocol contract).
    public var statsKey: String {
        switch self {
        case .list: "noteListRequests"
        case .read: "noteReadRequests"
        case .create: "noteCreateRequests"
        case .update: "noteUpdateRequests"
        case .delete: "noteDeleteRequests"
        }
    }
}

/// Per-operation, per-name request figures. Used for shards (name = `shard-0` …) and for
/// proxy versions (name = operation only); its JSON is the `ExportShardStats` contract.
public struct DataStoreStats: Codable, Hashable, Sendable {
    public var noteListRequests: [String: RequestStats]
    public var noteReadRequests: [String: RequestStats]
    public var noteCreateRequests: [String: RequestStats]
    public var noteUpdateRequests: [String: RequestStats]
    public var noteDeleteRequests: [String: RequestStats]

    public init(noteListRequests: [String: RequestStats] = [:], noteReadRequests: [String: RequestStats] = [:],
                noteCreateRequests: [String: RequestStats] = [:], noteUpdateRequests: [String: RequestStats] = [:],
                noteDeleteRequests: [String: RequestStats] = [:]) {
        self.noteListRequests = noteListRequests
        self.noteReadRequests = noteReadRequests
        self.noteCreateRequests = noteCreateRequests
        self.noteUpdateRequests = noteUpdateRequests
        self.noteDeleteRequests = noteDeleteRequests
    }

    public subscript(operation: DataStoreOperation) -> [String: RequestStats] {
        get {
            switch operation {
            case .list: noteListRequests
            case .read: noteReadRequests
            case .create: noteCreateRequests
            case .update: noteUpdateRequests
            case .delete: noteDeleteRequests
            }
        }
        set {
            switch operation {
            case .list: noteListRequests = newValue
            case .read: noteReadRequests = newValue
            case .create: noteCreateRequests = newValue
            case .update: noteUpdateRequests = newValue
            case .delete: noteDeleteRequests = newValue
            }
        }
    }

    /// The sum over all operations for one name.
    public func total(for name: String) -> RequestStats {
        DataStoreOperation.allCases.reduce(into: RequestStats()) { sum, operation in
            let stats = self[operation][name] ?? RequestStats()
            sum.totalRequests += stats.totalRequests
            sum.requestsPerSec += stats.requestsPerSec
        }
    }
}
