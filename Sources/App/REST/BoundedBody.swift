import Hummingbird
import NIOCore
import Store

/// A request body read whole, but only up to `StoreLimits.maxRequestBodyBytes`: a bigger one
/// (by its `Content-Length`, or by what arrives) is refused before it is held in memory. The
/// proxy's `/rpc` (`RPCHTTPHandler`) refuses the same size.
enum BoundedBody {
    struct TooLarge: Error {}

    static func collect(_ request: Request) async throws -> ByteBuffer {
        let limit = StoreLimits.maxRequestBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw TooLarge() }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw TooLarge()
        }
    }
}
