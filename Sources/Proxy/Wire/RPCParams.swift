import Foundation
import Store

/// Reads named params, failing with -32602 and a message that names the bad field.
struct RPCParams {
    let values: [String: JSONValue]

    func uuid(_ field: String) throws(RPCError) -> UUID {
        try uuid(field, path: field)
    }

    func integer(_ field: String) throws(RPCError) -> Int {
        guard let number = try optionalInteger(field) else { throw .invalidParams("\(field) is missing") }
        return number
    }

    /// An integer that may be absent (or null).
    func optionalInteger(_ field: String) throws(RPCError) -> Int? {
        guard let value = values[field], value != .null else { return nil }
        guard case .integer(let number) = value else { throw .invalidParams("\(field) must be an integer, got \(value.kindName)") }
        return Int(number)
    }

    /// One of `T`'s names — a shard engine (`sqlite`, `postgres`), a demo fault (`slow`, …) —
    /// that may be absent (or null).
    func optionalName<T: RawRepresentable & CaseIterable>(_ field: String, of type: T.Type) throws(RPCError) -> T?
        where T.RawValue == String {
        guard let value = values[field], value != .null else { return nil }
        let name = try string(field, path: field)
        guard let named = T(rawValue: name) else {
            throw .invalidParams("\(field) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
        }
        return named
    }

    /// A UUID that may be absent (or null).
    func optionalUUID(_ field: String) throws(RPCError) -> UUID? {
        guard let value = values[field], value != .null else { return nil }
        return try uuid(field)
    }

    func note(_ field: String) throws(RPCError) -> Note {
        guard let value = values[field] else { throw .invalidParams("\(field) is missing") }
        return try Self.note(value, path: field)
    }

    /// Builds a note straight from parsed JSON (no second encode and decode), in its one
    /// shape (`Note.Field`); `path` names the value in errors. `ProxyClient` reads the notes
    /// in answers with it too.
    static func note(_ value: JSONValue, path: String) throws(RPCError) -> Note {
        guard case .object(let object) = value else { throw .invalidParams("\(path) must be an object, got \(value.kindName)") }
        let fields = RPCParams(values: object)
        do {
            return try Note { field in try fields.string(field.rawValue, path: "\(path).\(field.rawValue)") }
        } catch let error as RPCError {
            throw error
        } catch let error as Note.InvalidField {
            throw .invalidParams("\(path).\(error.field.rawValue) \(error.reason)")
        } catch {
            throw .invalidParams("\(path): \(error)")
        }
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
}
