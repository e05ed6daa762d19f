import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Proxy

// HTTP from a test: requests to a REST API or a proxy over real loopback HTTP
// (AsyncHTTPClient). For bytes no HTTP client sends on purpose, `RawHTTPConnection`.

public func httpRequest(_ method: HTTPMethod, _ url: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
    try await httpRequest(method, url, body: body, headers: body == nil ? [] : [("Content-Type", "application/json")]).answer
}

/// A request with exactly these headers (a `Host` among them replaces the one the URL gives).
public func httpRequest(_ method: HTTPMethod, _ url: String, body: String?, headers: [(String, String)]) async throws
    -> (answer: (status: Int, json: Any?, text: String), headers: [(String, String)]) {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    let text = String(buffer: bytes)
    let json = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
    return ((Int(response.status.code), json, text), response.headers.map { ($0.name, $0.value) })
}

extension Optional where Wrapped == Any {
    /// `json["a"]["b"]`: a key of a JSON object, nil for anything else.
    public subscript(key: String) -> Any? { (self as? [String: Any])?[key] }
}

public func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw TestSetupError("missing \(what)") }
    return value
}

public func rawPost(port: Int, body: ByteBuffer, headers: [(String, String)] = [("Content-Type", "application/json")]) async throws
    -> (status: UInt, body: String) {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/rpc")
    request.method = .POST
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(body)
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return (response.status.code, String(buffer: bytes))
}

public func rawPost(port: Int, json: String, headers: [(String, String)] = [("Content-Type", "application/json")]) async throws
    -> (status: UInt, body: String) {
    try await rawPost(port: port, body: ByteBuffer(string: json), headers: headers)
}
