import Hummingbird
import NIOCore
import Store

/// A request body read whole, but only up to `StoreLimits.maxRequestBodyBytes`: a bigger one
/// (by its `Content-Length`, or by what arrives) is refused before it is held in memory. The
/// REST API and the proxy's `/rpc` share it, so both refuse the same size the same way.
public enum BoundedBody {
    public struct TooLarge: Error {}

    public static func collect(_ request: Request) async throws -> ByteBuffer {
        let limit = StoreLimits.maxRequestBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw TooLarge() }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw TooLarge()
        }
    }

    /// "the body is larger than 1048576 bytes"
    public static var tooLargeMessage: String { "the body is larger than \(StoreLimits.maxRequestBodyBytes) bytes" }
}
