import Foundation

/// Any JSON value. The server parses a request body into this once (`JSONParser`), so it can
/// tell a parse error from an invalid request from bad params, as JSON-RPC 2.0 requires.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short name of the value's kind, for error messages ("expected a string, got a number").
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
