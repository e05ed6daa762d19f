import Foundation
import Hummingbird

/// An error answer of the REST API: a status and a message, sent as `{"error": "..."}`.
struct APIError: Error, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String

    var description: String { message }

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }

    /// The answer for anything a handler throws: an action's error by its kind (404, 409,
    /// 413, 400; 503 for a data proxy or store that can't answer now; 500 for a bug).
    static func from(_ error: any Error) -> APIError {
        if let error = error as? APIError { return error }
        let failure = ActionError(error)
        let status: HTTPResponse.Status = switch failure.kind {
        case .invalid: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .tooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
        return APIError(status: status, message: failure.message)
    }
}
