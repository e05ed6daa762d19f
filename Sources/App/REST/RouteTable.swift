import Hummingbird

/// The REST API's routes as data: method, path pattern (`/accounts/{id}`) and handler. The
/// router is built from it, and it answers what the router can't: which methods a path takes,
/// so a known path with a wrong method is a 405 with `Allow`, not a 404.
struct RouteTable<Handler: Sendable>: Sendable {
    struct Route: Sendable {
        let method: HTTPRequest.Method
        let pattern: String
        let handler: Handler

        init(_ method: HTTPRequest.Method, _ pattern: String, _ handler: Handler) {
            self.method = method
            self.pattern = pattern
            self.handler = handler
        }
    }

    let routes: [Route]

    init(_ routes: [Route]) { self.routes = routes }

    var methodsByPattern: AllowedMethods {
        AllowedMethods(patterns: Dictionary(routes.map { ($0.pattern, [$0.method]) }, uniquingKeysWith: +))
    }
}

/// Which methods each path pattern takes.
struct AllowedMethods: Sendable {
    let patterns: [String: [HTTPRequest.Method]]

    /// The methods of the pattern `path` matches (a `{parameter}` matches one non-empty
    /// segment), for an `Allow` header; nil for a path no route has.
    func methods(for path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (pattern, methods) in patterns {
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            guard parts.count == segments.count else { continue }
            let matches = zip(parts, segments).allSatisfy { part, segment in
                part.hasPrefix("{") ? !segment.isEmpty : part == segment
            }
            if matches { return methods }
        }
        return nil
    }
}
