import Foundation
import PostgresNIO

/// Turns postgres-nio's errors into the store's own, so a caller never sees a PostgreSQL type:
/// a lost connection becomes `ServerUnreachable` (the call may run again on another), a lock
/// or statement timeout the deadline's error, anything else "unavailable", naming the server.
enum PostgresErrors {
    static func translate(_ error: any Error, server: String, committing: Bool = false) -> any Error {
        if error is StoreError || error is ServerUnreachable { return error }
        guard let error = error as? PSQLError else { return StoreError.unavailable("\(server): \(error)") }
        let sqlState = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return ServerUnreachable(message: "\(server) closed the connection (\(error.code))", maybeCommitted: committing)
        case .server where sqlState.hasPrefix("08") || sqlState.hasPrefix("57P"):
            // Connection exceptions, and "terminating connection" (an admin's or a shutdown's).
            return ServerUnreachable(message: "\(server): \(message)", maybeCommitted: committing)
        case .server where sqlState == lockNotAvailable || sqlState == queryCanceled:
            return LockTimeout(message: message)
        default:
            return StoreError.unavailable("\(server): \(message)")
        }
    }

    /// SQLSTATE of a `lock_timeout` that ran out.
    static let lockNotAvailable = "55P03"
    /// SQLSTATE of a `statement_timeout` that ran out.
    static let queryCanceled = "57014"
}

/// A wait for a lock or a statement ran past the time the call had left; nothing committed.
struct LockTimeout: Error {
    var message: String
}
