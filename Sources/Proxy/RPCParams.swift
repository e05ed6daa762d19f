import Foundation
import Store

/// Reads named params, failing with -32602 and a message that names the bad field.
struct RPCParams {
    let values: [String: JSONValue]

    func uuid(_ field: String) throws(RPCError) -> UUID {
        try uuid(field, path: field)
    }

    func note(_ field: String) throws(RPCError) -> Note {
        guard let value = values[field] else { throw .invalidParams("\(field) is missing") }
        return try Self.note(value, path: field)
    }

    /// Builds a note straight from parsed JSON (no second encode and decode); `path` names the
    /// value in errors. `ProxyClient` reads the notes in answers with it too.
    static func note(_ value: JSONValue, path: String) throws(RPCError) -> Note {
        guard case .object(let object) = value else { throw .invalidParams("\(path) must be an object, got \(value.kindName)") }
        let note = RPCParams(values: object)
        let id = try note.uuid("id", path: "\(path).id")
        let creator = try note.uuid("creator", path: "\(path).creator")
        let createdAt = try note.timestamp("createdAt", path: "\(path).createdAt")
        let updatedAt = try note.timestamp("updatedAt", path: "\(path).updatedAt")
        let content = try note.string("content", path: "\(path).content")
        return Note(id: id, creator: creator, createdAt: createdAt, updatedAt: updatedAt, content: content)
    }

    private func string(_ field: String, path: String) throws(RPCError) -> String {
        guard let value = values[field] else { throw .invalidParams("\(path) is missing") }
        guard case .string(let text) = value else { throw .invalidParams("\(path) must be a string, got \(value.kindName)") }
        return text
    }

    private func uuid(_ field: String, path: String) throws(RPCError) -> UUID {
        let text = try string(field, path: path)
        guard let id = UUIDText.parse(text) else { throw .invalidParams("\(path) is not a valid UUID: \(text)") }
        return id
    }

    private func timestamp(_ field: String, path: String) throws(RPCError) -> Date {
        let text = try string(field, path: path)
        do {
            return try Timestamp.decode(text, field: path)
        } catch {
            throw .invalidParams("\(path) is not an RFC 3339 timestamp: \(text)")
        }
    }
}
