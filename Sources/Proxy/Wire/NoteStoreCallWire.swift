import Foundation
import Store
import Telemetry

/// A `NoteStoreCall` on the wire: its named params written by the client and read by the
/// proxy, next to each other so the two can't drift. Adding a parameter to a call is a change
/// here, in `NoteStoreCall`, and in the SQLite store — nowhere else.
extension NoteStoreCall {
    /// Reads the named params of `operation`, failing with -32602 naming the bad field. Runs
    /// before the proxy takes its lock, so bad params never wait for it.
    init(_ operation: NoteStoreOperation, params: RPCParams) throws(RPCError) {
        switch operation {
        case .listNotes:
            self = .listNotes(accountId: try params.uuid("accountId"), limit: try params.optionalInteger("limit"),
                              after: try params.optionalUUID("after"))
        case .getNote: self = .getNote(accountId: try params.uuid("accountId"), noteId: try params.uuid("noteId"))
        case .createNote: self = .createNote(accountId: try params.uuid("accountId"), note: try params.note("note"))
        case .updateNote: self = .updateNote(accountId: try params.uuid("accountId"), note: try params.note("note"))
        case .deleteNote: self = .deleteNote(accountId: try params.uuid("accountId"), note: try params.note("note"))
        case .countNotes: self = .countNotes(accountId: try params.uuid("accountId"))
        case .totalNotes: self = .totalNotes
        case .healthCheck: self = .healthCheck
        case .moveAccount: self = .moveAccount(accountId: try params.uuid("accountId"), toShard: try params.integer("shard"))
        case .growShards: self = .growShards(count: try params.integer("count"), engine: try params.optionalName("engine", of: ShardEngine.self))
        case .drainShard: self = .drainShard(index: try params.integer("shard"))
        case .migrateShards:
            guard let engine = try params.optionalName("engine", of: ShardEngine.self) else { throw .invalidParams("engine is required") }
            self = .migrateShards(engine: engine)
        case .stepPlacement: self = .stepPlacement(batch: try params.optionalInteger("batch"))
        case .describePlacement: self = .describePlacement
        }
    }

    /// Writes the params object of this call.
    func writeParams(into writer: inout JSONWriter) {
        writer.raw("{")
        switch self {
        case .listNotes(let accountId, let limit, let after):
            writer.member("accountId", first: true) { $0.string(accountId.uuidText) }
            if let limit { writer.member("limit") { $0.integer(limit) } }
            if let after { writer.member("after") { $0.string(after.uuidText) } }
        case .countNotes(let accountId):
            writer.member("accountId", first: true) { $0.string(accountId.uuidText) }
        case .getNote(let accountId, let noteId):
            writer.member("accountId", first: true) { $0.string(accountId.uuidText) }
            writer.member("noteId") { $0.string(noteId.uuidText) }
        case .createNote(let accountId, let note), .updateNote(let accountId, let note), .deleteNote(let accountId, let note):
            writer.member("accountId", first: true) { $0.string(accountId.uuidText) }
            writer.member("note") { $0.note(note) }
        case .moveAccount(let accountId, let shard):
            writer.member("accountId", first: true) { $0.string(accountId.uuidText) }
            writer.member("shard") { $0.integer(shard) }
        case .growShards(let count, let engine):
            writer.member("count", first: true) { $0.integer(count) }
            if let engine { writer.member("engine") { $0.string(engine.rawValue) } }
        case .drainShard(let index):
            writer.member("shard", first: true) { $0.integer(index) }
        case .migrateShards(let engine):
            writer.member("engine", first: true) { $0.string(engine.rawValue) }
        case .stepPlacement(let batch):
            if let batch { writer.member("batch", first: true) { $0.integer(batch) } }
        case .totalNotes, .healthCheck, .describePlacement:
            break
        }
        writer.raw("}")
    }
}

extension NoteStoreAnswer {
    /// The JSON-RPC result, written after the proxy's lock is released.
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
        case .note(nil), .done: return Data("null".utf8)
        case .count(let count): return Data(String(count).utf8)
        case .shardChange(let from, let to):
            var writer = JSONWriter()
            writer.value(.object(["from": .integer(Int64(from)), "to": .integer(Int64(to))]))
            return writer.data
        case .placement(let placement):
            var writer = JSONWriter()
            writer.value(placement.json)
            return writer.data
        }
    }

    /// Reads the result of an `operation` call; throws a reason when it is not that kind.
    init(_ operation: NoteStoreOperation, result: JSONValue) throws(AnswerMismatch) {
        switch operation {
        case .listNotes:
            if result == .null { self = .notes([]); return }
            guard case .array(let elements) = result else { throw AnswerMismatch("expected an array, got \(result.kindName)") }
            var notes: [Note] = []
            notes.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() { notes.append(try Self.note(element, path: "result[\(index)]")) }
            self = .notes(notes)
        case .getNote:
            self = .note(result == .null ? nil : try Self.note(result, path: "result"))
        case .countNotes, .totalNotes:
            guard case .integer(let number) = result else { throw AnswerMismatch("expected an integer, got \(result.kindName)") }
            self = .count(Int(number))
        case .createNote, .updateNote, .deleteNote, .healthCheck:
            self = .done
        case .moveAccount, .growShards, .drainShard, .migrateShards:
            guard case .object(let object) = result, case .integer(let from)? = object["from"], case .integer(let to)? = object["to"] else {
                throw AnswerMismatch("expected {\"from\", \"to\"}, got \(result.kindName)")
            }
            self = .shardChange(from: Int(from), to: Int(to))
        case .stepPlacement, .describePlacement:
            guard let placement = PlacementSnapshot(json: result) else { throw AnswerMismatch("expected a placement, got \(result.kindName)") }
            self = .placement(placement)
        }
    }

    private static func note(_ value: JSONValue, path: String) throws(AnswerMismatch) -> Note {
        do {
            return try RPCParams.note(value, path: path)
        } catch {
            throw AnswerMismatch("not a note (\(error.message))")
        }
    }

    /// Why an answer is not what its call expects.
    struct AnswerMismatch: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

extension NoteStoreOperation {
    /// The per-shard and per-version counter this operation counts under (the
    /// `ExportShardStats` contract); nil for the calls that aren't counted.
    var dataStoreOperation: DataStoreOperation? {
        switch self {
        case .listNotes: .list
        case .getNote: .read
        case .createNote: .create
        case .updateNote: .update
        case .deleteNote: .delete
        case .countNotes, .totalNotes, .healthCheck, .moveAccount, .growShards, .drainShard, .migrateShards, .stepPlacement,
             .describePlacement: nil
        }
    }
}
