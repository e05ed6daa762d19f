/// Why a call to a proxy failed, when it is not a store error. `notSent` means the request
/// never left this process (nothing to connect to, or its connection had closed before a byte
/// was written), so it is safe to send elsewhere; every other case may have reached the proxy.
public enum ProxyClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case notSent(proxyId: Int, reason: String)
    case transport(proxyId: Int, reason: String)
    case httpStatus(proxyId: Int, status: Int, body: String)
    case rpc(proxyId: Int, RPCError)
    case badResponse(proxyId: Int, reason: String)

    public var description: String {
        switch self {
        case .notSent(let id, let reason): "proxy v\(id) unreachable: \(reason)"
        case .transport(let id, let reason): "proxy v\(id) transport error: \(reason)"
        case .httpStatus(let id, let status, let body): "proxy v\(id) answered HTTP \(status): \(body)"
        case .rpc(let id, let error): "proxy v\(id): \(error)"
        case .badResponse(let id, let reason): "proxy v\(id) sent a bad response: \(reason)"
        }
    }

    public var isNotSent: Bool {
        if case .notSent = self { return true }
        return false
    }

    /// The proxy refused the call before running it (`NotelyRPCCode.refused`): it never
    /// applied, so it is safe to send to another version.
    public var isRefused: Bool {
        if case .rpc(_, let error) = self { return error.code == NotelyRPCCode.refused }
        return false
    }

    /// The connection failed after the request may have been sent (reset, closed, timed out):
    /// the proxy may have died or hung with the call in hand. An answer of any kind (an HTTP
    /// status, an RPC error) is not this: the proxy was there to give it.
    public var mayHaveReachedAProxyThatFailed: Bool {
        if case .transport = self { return true }
        return false
    }
}
