import Foundation
import Store

/// JSON-RPC 2.0 framing: body bytes in, body bytes out. Pure apart from the `handle` function
/// it calls for each valid request, so every rule of the spec is testable without a server.
public enum RPCCodec {
    /// One parsed element of a body: a valid request, or the error to answer it with.
    public enum Parsed: Sendable, Hashable {
        case request(RPCRequest)
        case invalid(RPCError, id: RPCID)
    }

    /// Parses a body into its calls. `batch` tells whether the answer must be an array.
    public static func parse(_ body: Data) -> (calls: [Parsed], batch: Bool) {
        calls(in: Result { () throws(JSONParseError) in try JSONParser.parse(body) })
    }

    /// Parses a body read straight out of the server's buffer.
    public static func parse(_ body: UnsafeBufferPointer<UInt8>) -> (calls: [Parsed], batch: Bool) {
        calls(in: Result { () throws(JSONParseError) in try JSONParser.parse(body) })
    }

    private static func calls(in parsed: Result<JSONValue, JSONParseError>) -> (calls: [Parsed], batch: Bool) {
        let value: JSONValue
        switch parsed {
        case .success(let parsedValue): value = parsedValue
        case .failure(let error): return ([.invalid(.parseError("the body is not valid JSON: \(error)"), id: .null)], false)
        }
        if case .array(let elements) = value {
            if elements.isEmpty { return ([.invalid(.invalidRequest("empty batch"), id: .null)], false) }
            return (elements.map(parseOne), true)
        }
        return ([parseOne(value)], false)
    }

    static func parseOne(_ value: JSONValue) -> Parsed {
        guard case .object(let object) = value else {
            return .invalid(.invalidRequest("a request must be an object, got \(value.kindName)"), id: .null)
        }
        var id: RPCID?
        switch object["id"] {
        case nil: id = nil
        case .null: id = .null
        case .integer(let number): id = .number(number)
        case .string(let string): id = .string(string)
        case .some(let other):
            return .invalid(.invalidRequest("id must be a string, an integer or null, got \(other.kindName)"), id: .null)
        }
        guard object["jsonrpc"] == .string("2.0") else {
            return .invalid(.invalidRequest("jsonrpc must be \"2.0\""), id: id ?? .null)
        }
        guard case .string(let method) = object["method"] else {
            return .invalid(.invalidRequest("method must be a string"), id: id ?? .null)
        }
        switch object["params"] {
        case nil, .null:
            return .request(RPCRequest(method: method, params: [:], id: id))
        case .object(let params):
            return .request(RPCRequest(method: method, params: params, id: id))
        case .array(let params) where params.isEmpty:
            return .request(RPCRequest(method: method, params: [:], id: id))
        case .array:
            return .invalid(.invalidParams("params must be an object of named fields, not an array"), id: id ?? .null)
        case .some(let other):
            return .invalid(.invalidRequest("params must be an object, got \(other.kindName)"), id: id ?? .null)
        }
    }

    /// Runs every call of a body and returns the response body, or nil when nothing is to be
    /// answered (only notifications). Calls of a batch run in order.
    public static func respond(to body: Data, handle: (RPCRequest) async -> RPCOutcome) async -> Data? {
        let (calls, batch) = parse(body)
        return await respond(to: calls, batch: batch, handle: handle)
    }

    /// The same for calls already parsed.
    public static func respond(to calls: [Parsed], batch: Bool, handle: (RPCRequest) async -> RPCOutcome) async -> Data? {
        var responses: [Data] = []
        for call in calls {
            switch call {
            case .invalid(let error, let id):
                responses.append(frame(id: id, outcome: .failure(error)))
            case .request(let request):
                let outcome = await handle(request)
                if let id = request.id { responses.append(frame(id: id, outcome: outcome)) }
            }
        }
        if responses.isEmpty { return nil }
        if !batch { return responses[0] }
        var joined = Data("[".utf8)
        for (index, response) in responses.enumerated() {
            if index > 0 { joined.append(UInt8(ascii: ",")) }
            joined.append(response)
        }
        joined.append(UInt8(ascii: "]"))
        return joined
    }

    /// Writes one response object around an already encoded result.
    public static func frame(id: RPCID, outcome: RPCOutcome) -> Data {
        var writer = JSONWriter(capacity: 64 + ((try? outcome.get().count) ?? 0))
        writer.raw(#"{"jsonrpc":"2.0","id":"#)
        switch id {
        case .number(let number): writer.integer(number)
        case .string(let text): writer.string(text)
        case .null: writer.raw("null")
        }
        switch outcome {
        case .success(let result):
            writer.raw(#","result":"#)
            writer.raw(result)
        case .failure(let error):
            writer.raw(#","error":{"code":"#)
            writer.integer(error.code)
            if let data = error.data {
                writer.raw(#","data":"#)
                writer.value(data)
            }
            writer.raw(#","message":"#)
            writer.string(error.message)
            writer.raw("}")
        }
        writer.raw("}")
        return writer.data
    }
}
