import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 response as raw bytes carry it.
public struct RawHTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Takes one whole response off the front of `received` (its body by `Content-Length`;
    /// none without one); nil while more bytes are needed.
    public static func take(from received: inout [UInt8]) throws -> RawHTTPResponse? {
        let terminator = Array("\r\n\r\n".utf8)
        guard let headEnd = received.indices.dropLast(3).first(where: { Array(received[$0..<$0 + 4]) == terminator }) else { return nil }
        let headLines = String(decoding: received[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = headLines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "not a status line: \(headLines[0])") }
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headers["content-length"].flatMap { Int($0) } ?? 0
        let bodyStart = headEnd + 4
        guard received.count >= bodyStart + length else { return nil }
        let body = String(decoding: received[bodyStart..<bodyStart + length], as: UTF8.self)
        received.removeFirst(bodyStart + length)
        return RawHTTPResponse(status: status, headers: headers, body: body)
    }
}

/// A plain TCP connection to a proxy, for what no HTTP client sends on purpose: pipelined
/// requests in one write, a body cut short, bytes that are not HTTP. Blocking, with a 10 s
/// receive timeout so a test that waits for an answer that never comes fails instead of hanging.
public final class RawHTTPConnection {
    public typealias Response = RawHTTPResponse
    typealias Failure = RawHTTPResponse.Failure

    private let socket: Int32
    private var received: [UInt8] = []

    public init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(socket); throw Failure(description: "connect: errno \(errno)") }
    }

    deinit { close(socket) }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw Failure(description: "send: \(sent) of \(bytes.count) bytes, errno \(errno)") }
    }

    /// Reads one whole response (its body by `Content-Length`; none without one).
    public func response() throws -> Response {
        while true {
            if let response = try RawHTTPResponse.take(from: &received) { return response }
            try receiveMore()
        }
    }

    /// True when the other side closed the connection (and sent nothing more).
    public func isClosedByPeer() throws -> Bool {
        var byte: UInt8 = 0
        let count = recv(socket, &byte, 1, 0)
        if count < 0 { throw Failure(description: "recv: errno \(errno) (no close within 10 s)") }
        return count == 0
    }

    private func receiveMore() throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: count == 0 ? "closed by the peer" : "recv: errno \(errno)") }
        received.append(contentsOf: buffer[..<count])
    }
}
