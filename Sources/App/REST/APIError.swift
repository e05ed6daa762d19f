import Foundation
import Hummingbird
import Proxy
import Store

/// An error answer of the REST API: a status and a message, sent as `{"error": "..."}`.
struct APIError: Error, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String

    var description: String { message }

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }

    /// The answer for anything a handler throws: store errors keep their meaning (404, 409,
    /// 413, 400), an unavailable data proxy is 503, anything else 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            switch error {
            case .noteNotFound, .accountNotFound: return APIError(status: .notFound, message: error.description)
            case .noteAlreadyExists, .conflict: return APIError(status: .conflict, message: error.description)
            case .contentTooLarge: return APIError(status: .contentTooLarge, message: error.description)
            case .invalidInput: return APIError(status: .badRequest, message: error.description)
            case .shardCountMismatch, .unavailable, .deadlinePassed: return APIError(status: .serviceUnavailable, message: error.description)
            }
        case let error as DeployError:
            switch error {
            case .alreadyRunning: return APIError(status: .conflict, message: error.description)
            default: return APIError(status: .serviceUnavailable, message: error.description)
            }
        case let error as ProxyClientError:
            return APIError(status: .serviceUnavailable, message: error.description)
        default:
            return APIError(status: .internalServerError, message: "internal error: \(error)")
        }
    }
}
