import Foundation

/// Raw `/rpc` requests as text, for the tests that send bytes themselves (`RPCHandlerTests` in
/// process, `ProxyTransportTests` over a socket).
enum RawRPC {
    static func post(_ json: String, token: String, headers: String = "") -> String {
        "POST /rpc HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Length: \(json.utf8.count)\r\n\(headers)\r\n\(json)"
    }

    static func ready(id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"Ready"}"# }
}
