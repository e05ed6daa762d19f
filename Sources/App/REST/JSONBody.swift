import Foundation
import Hummingbird
import NIOCore
import Proxy
import Store

/// Reading and writing JSON bodies with the REST API's rules: bodies over 1 MiB are refused
/// (413) without being read into memory, bad JSON is a 400 that says what was wrong.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await BoundedBody.collect(request)
        } catch is BoundedBody.TooLarge {
            throw APIError(status: .contentTooLarge, message: "request body is larger than \(StoreLimits.maxRequestBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("invalid JSON body: missing field \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError.badRequest("invalid JSON body: \(field(context)) has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.badRequest("invalid JSON body: \(field(context)) must not be null")
        } catch {
            throw APIError.badRequest("invalid JSON body: expected a JSON object")
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
