import Foundation
import Store

/// Notely's application error codes: a `StoreError` crosses the wire as one of these and comes
/// back as the same case. The table is documented in docs/PROTOCOL.md.
public enum NotelyRPCCode {
    public static let noteNotFound = -32001
    public static let accountNotFound = -32002
    public static let noteAlreadyExists = -32003
    public static let contentTooLarge = -32004
    public static let invalidInput = -32005
    public static let storeUnavailable = -32006
    public static let shardCountMismatch = -32007
    /// The call's deadline passed before it ran; nothing was applied (see `CallDeadline`).
    public static let deadlinePassed = -32008
    /// The state forbids the request now: a move already running, an account already there.
    public static let conflict = -32009
    /// The proxy refused the call before running it (a demo fault, `Misbehaviour.errors`):
    /// nothing was applied, so it may go to another version.
    public static let refused = -32010
}

extension StoreError {
    /// The JSON-RPC error this store error is sent as.
    public var rpcError: RPCError {
        switch self {
        case .noteNotFound(let id):
            RPCError(code: NotelyRPCCode.noteNotFound, message: description, data: .object(["noteId": .string(id.uuidText)]))
        case .accountNotFound(let id):
            RPCError(code: NotelyRPCCode.accountNotFound, message: description, data: .object(["accountId": .string(id.uuidText)]))
        case .noteAlreadyExists(let id):
            RPCError(code: NotelyRPCCode.noteAlreadyExists, message: description, data: .object(["noteId": .string(id.uuidText)]))
        case .contentTooLarge(let bytes, let limit):
            RPCError(code: NotelyRPCCode.contentTooLarge, message: description,
                     data: .object(["bytes": .integer(Int64(bytes)), "limit": .integer(Int64(limit))]))
        case .invalidInput:
            RPCError(code: NotelyRPCCode.invalidInput, message: description)
        case .shardCountMismatch:
            RPCError(code: NotelyRPCCode.shardCountMismatch, message: description)
        case .conflict:
            RPCError(code: NotelyRPCCode.conflict, message: description)
        case .unavailable:
            RPCError(code: NotelyRPCCode.storeUnavailable, message: description)
        case .deadlinePassed(let milliseconds):
            RPCError(code: NotelyRPCCode.deadlinePassed, message: description, data: .object(["deadline": .integer(milliseconds)]))
        }
    }

    /// Rebuilds the store error an application code stands for; nil for other codes.
    public init?(rpcError error: RPCError) {
        func field(_ name: String) -> JSONValue? {
            if case .object(let object) = error.data { return object[name] }
            return nil
        }
        func uuid(_ name: String) -> UUID? {
            if case .string(let text) = field(name) { return UUID(uuidString: text) }
            return nil
        }
        func int(_ name: String) -> Int? {
            if case .integer(let value) = field(name) { return Int(value) }
            return nil
        }
        switch error.code {
        case NotelyRPCCode.noteNotFound: guard let id = uuid("noteId") else { return nil }; self = .noteNotFound(id)
        case NotelyRPCCode.accountNotFound: guard let id = uuid("accountId") else { return nil }; self = .accountNotFound(id)
        case NotelyRPCCode.noteAlreadyExists: guard let id = uuid("noteId") else { return nil }; self = .noteAlreadyExists(id)
        case NotelyRPCCode.contentTooLarge: self = .contentTooLarge(bytes: int("bytes") ?? 0, limit: int("limit") ?? StoreLimits.maxContentBytes)
        case NotelyRPCCode.invalidInput: self = .invalidInput(error.message)
        case NotelyRPCCode.conflict: self = .conflict(error.message)
        case NotelyRPCCode.deadlinePassed: self = .deadlinePassed(milliseconds: Int64(int("deadline") ?? 0))
        case NotelyRPCCode.storeUnavailable, NotelyRPCCode.shardCountMismatch: self = .unavailable(error.message)
        default: return nil
        }
    }
}
