import Foundation
import Store

/// Reads named params, failing with -32602 and a message that names the bad field.
struct RPCParams {
    let values: [String: JSONValue]

    func uuid(_ field: String) throws(RPCError) -> UUID {
        try uuid(field, path: field)
    }

    /// Builds the note straight from the parsed JSON (no second encode and decode).
    func note(_ field: String) throws(RPCError) -> Note {
        guard let value = values[field] else { throw .invalidParams("\(field) is missing") }
        guard case .object(let object) = value else { throw .invalidParams("\(field) must be an object, got \(value.kindName)") }
        let note = RPCParams(values: object)
        let id = try note.uuid("id", path: "\(field).id")
        let creator = try note.uuid("creator", path: "\(field).creator")
        let createdAt = try note.timestamp("createdAt", path: "\(field).createdAt")
        let updatedAt = try note.timestamp("updatedAt", path: "\(field).updatedAt")
        let content = try note.string("content", path: "\(field).content")
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
