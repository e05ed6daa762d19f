import Foundation
import NIOCore
import Proxy
import Store

/// Why an action failed, worded for a person and sorted into what a front end acts on: the
/// REST API turns the kind into a status, the dashboard shows the words. Errors are sorted by
/// their type, never by their text.
struct ActionError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable, Sendable {
        /// Bad input: an id that is not one, a shard out of range, an empty name.
        case invalid
        case notFound
        /// Sound, but the state forbids it now (a move already running, a deploy running).
        case conflict
        case tooLarge
        /// A data proxy or the store can't answer now; trying again later may work.
        case unavailable
        /// A bug: nothing a caller did.
        case `internal`
    }

    let kind: Kind
    let message: String

    var description: String { message }

    static func conflict(_ message: String) -> ActionError { ActionError(kind: .conflict, message: message) }

    /// Any error an action meets, sorted by its type.
    init(_ error: any Error) {
        switch error {
        case let error as ActionError:
            self = error
        case let error as StoreError:
            self.init(kind: Self.kind(of: error), message: error.description)
        case let error as DeployError:
            if case .alreadyRunning = error {
                self.init(kind: .conflict, message: error.description)
            } else if case .noNewVersion = error {
                self.init(kind: .conflict, message: error.description)
            } else {
                self.init(kind: .unavailable, message: error.description)
            }
        case let error as ProxyClientError:
            self.init(kind: .unavailable, message: error.description)
        default:
            self.init(kind: .internal, message: "internal error: \(error)")
        }
    }

    init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    private static func kind(of error: StoreError) -> Kind {
        switch error {
        case .noteNotFound, .accountNotFound: .notFound
        case .noteAlreadyExists, .conflict: .conflict
        case .contentTooLarge: .tooLarge
        case .invalidInput: .invalid
        case .shardCountMismatch, .unavailable, .deadlinePassed: .unavailable
        }
    }
}

extension IOError {
    /// The listening port is taken (`bind`: EADDRINUSE).
    var isAddressInUse: Bool { errnoCode == EADDRINUSE }
}
