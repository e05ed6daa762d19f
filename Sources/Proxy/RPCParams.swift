import Foundation
import Store

/// Reads named params, failing with -32602 and a message that names the bad field.
struct RPCParams {
    let values: [String: JSONValue]

    func uuid(_ field: String) throws(RPCError) -> UUID {
        guard let value = values[field] else { throw .invalidParams("missing field \(field)") }
        guard case .string(let text) = value else { throw .invalidParams("\(field) must be a UUID string, got \(value.kindName)") }
        guard let id = UUID(uuidString: text) else { throw .invalidParams("\(field) is not a valid UUID: \(text)") }
        return id
    }

    func note(_ field: String) throws(RPCError) -> Note {
        guard let value = values[field] else { throw .invalidParams("missing field \(field)") }
        guard case .object = value else { throw .invalidParams("\(field) must be an object, got \(value.kindName)") }
        do {
            let data = try JSONEncoder().encode(value)
            return try JSONDecoder().decode(Note.self, from: data)
        } catch let error as StoreError {
            throw .invalidParams("\(field).\(error)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidParams("\(field).\(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let path = ([field] + context.codingPath.map(\.stringValue)).joined(separator: ".")
            throw .invalidParams("\(path) is invalid: \(context.debugDescription)")
        } catch {
            throw .invalidParams("\(field) is not a valid note")
        }
    }
}
