import Foundation
import Store

/// A store method with its params read and checked: what runs under the proxy's lock, so bad
/// params are refused without waiting for it.
enum StoreCall: Sendable {
    case list(accountId: UUID)
    case get(accountId: UUID, noteId: UUID)
    case create(accountId: UUID, note: Note)
    case update(accountId: UUID, note: Note)
    case delete(accountId: UUID, note: Note)
    case count(accountId: UUID)
    case total
    case health

    init(_ method: RPCMethod, _ params: RPCParams) throws(RPCError) {
        switch method {
        case .listNotes: self = .list(accountId: try params.uuid("accountId"))
        case .getNote: self = .get(accountId: try params.uuid("accountId"), noteId: try params.uuid("noteId"))
        case .createNote: self = .create(accountId: try params.uuid("accountId"), note: try params.note("note"))
        case .updateNote: self = .update(accountId: try params.uuid("accountId"), note: try params.note("note"))
        case .deleteNote: self = .delete(accountId: try params.uuid("accountId"), note: try params.note("note"))
        case .countNotes: self = .count(accountId: try params.uuid("accountId"))
        case .getTotalNotes: self = .total
        case .healthCheck: self = .health
        case .ready, .exportShardStats: throw .internalError("\(method.rawValue) is not a store call")
        }
    }
}

/// What a store call gave back, written as the JSON-RPC result after the lock is released.
enum StoreAnswer: Sendable {
    case notes([Note])
    case note(Note?)
    case count(Int)
    case none

    var json: Data {
        switch self {
        case .notes(let notes):
            var writer = JSONWriter(capacity: 2 + 256 * notes.count)
            writer.notes(notes)
            return writer.data
        case .note(let note?):
            var writer = JSONWriter()
            writer.note(note)
            return writer.data
        case .note(nil), .none: return Data("null".utf8)
        case .count(let count): return Data(String(count).utf8)
        }
    }
}
