import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Store

/// A small client of Notely's own REST API, as any outside user would call it.
struct NotelyHTTPClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let baseURL: String
    let http: HTTPClient

    /// Sends one request; returns the status and body, or throws `Failure` for transport errors.
    func send(_ method: HTTPMethod, _ path: String, json: (some Encodable)? = Optional<String>.none) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), Data(buffer: body))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Failure(description: "\(method) \(path): \(error)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try JSONDecoder().decode(T.self, from: data)
    }
}
