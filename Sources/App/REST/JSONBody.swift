import Foundation
import Hummingbird
import NIOCore
import Proxy
import Store

/// Reading and writing JSON bodies with the REST API's rules: bodies over 1 MiB are refused
/// (413) without being read into memory, bad JSON is a 400 that says what was wrong.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let value = try await decodeIfPresent(type, from: request) else { throw APIError.badRequest("the body is empty; send a JSON object") }
        return value
    }

    /// A body that may be left out: nil when it is empty.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await BoundedBody.collect(request)
        } catch is BoundedBody.TooLarge {
            throw APIError(status: .contentTooLarge, message: "request body is larger than \(StoreLimits.maxRequestBodyBytes) bytes")
        }
        if buffer.readableBytes == 0 { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("the JSON body has no field \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError.badRequest(context.codingPath.isEmpty ? "the body must be a JSON object"
                                                                 : "the field \"\(field(context))\" has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.badRequest(context.codingPath.isEmpty ? "the body must be a JSON object, not null"
                                                                 : "the field \"\(field(context))\" must not be null")
        } catch {
            // Foundation's parser: broken syntax, invalid UTF-8, a lone surrogate in an escape.
            throw APIError.badRequest("the body is not valid JSON (text must be UTF-8; \\u escapes must pair surrogates)")
        }
    }

    private static func field(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONCoding.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ error: APIError) -> Response {
        (try? response(["error": error.message], status: error.status)) ?? Response(status: error.status)
    }
}
