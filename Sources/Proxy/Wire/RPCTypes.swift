import Foundation

/// A JSON-RPC request id: a string, an integer, or an explicit null.
public enum RPCID: Sendable, Hashable {
    case number(Int64)
    case string(String)
    case null
}

/// One valid call. `id == nil` marks a notification: it runs, but nothing is answered.
public struct RPCRequest: Sendable, Hashable {
    public var method: String
    public var params: [String: JSONValue]
    public var id: RPCID?

    public init(method: String, params: [String: JSONValue] = [:], id: RPCID?) {
        self.method = method
        self.params = params
        self.id = id
    }
}

/// A JSON-RPC error object. Standard codes are the spec's; the application codes are
/// Notely's own and listed in docs/PROTOCOL.md.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// Reads an error object from an answer; nil when it is not one.
    public init?(json: JSONValue) {
        guard case .object(let object) = json, case .integer(let code)? = object["code"],
              case .string(let message)? = object["message"] else { return nil }
        self.init(code: Int(code), message: message, data: object["data"])
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    public static func parseError(_ detail: String) -> RPCError { RPCError(code: parseErrorCode, message: "Parse error: \(detail)") }
    public static func invalidRequest(_ detail: String) -> RPCError { RPCError(code: invalidRequestCode, message: "Invalid Request: \(detail)") }
    public static func methodNotFound(_ method: String) -> RPCError { RPCError(code: methodNotFoundCode, message: "Method not found: \(method)") }
    public static func invalidParams(_ detail: String) -> RPCError { RPCError(code: invalidParamsCode, message: "Invalid params: \(detail)") }
    public static func internalError(_ detail: String) -> RPCError { RPCError(code: internalErrorCode, message: "Internal error: \(detail)") }
}

/// The outcome of one call, before it is framed: the result already encoded as JSON text.
public typealias RPCOutcome = Result<Data, RPCError>
