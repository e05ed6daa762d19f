import Foundation

/// Errors a caller can act on. Each survives the trip over JSON-RPC as its own code, so a
/// missing note is still "not found" on the far side of the proxy.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case noteNotFound(UUID)
    case accountNotFound(UUID)
    case noteAlreadyExists(UUID)
    case contentTooLarge(bytes: Int, limit: Int)
    case invalidInput(String)
    case shardCountMismatch(dataDir: String, stored: Int, requested: Int)
    /// The request is sound but the state forbids it now (a move already running, …).
    case conflict(String)
    case unavailable(String)
    /// The call's deadline (milliseconds since the Unix epoch) passed before it could hold the
    /// locks it needed; nothing was applied.
    case deadlinePassed(milliseconds: Int64)

    /// The deadline error for `deadline`, at whole milliseconds as it travels.
    public static func deadlinePassed(_ deadline: Date) -> StoreError {
        .deadlinePassed(milliseconds: Int64((deadline.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public var description: String {
        switch self {
        case .noteNotFound(let id): "note \(id.uuidText) not found"
        case .accountNotFound(let id): "account \(id.uuidText) not found"
        case .noteAlreadyExists(let id): "note \(id.uuidText) already exists"
        case .contentTooLarge(let bytes, let limit): "content is \(bytes) bytes; the limit is \(limit) bytes"
        case .invalidInput(let message): message
        case .shardCountMismatch(let dir, let stored, let requested):
            "data dir \(dir) holds \(stored) shards but --shards \(requested) was given; --shards only sets the count "
                + "of a new data dir: leave it out (or give \(stored)), grow the shards live with POST /shards, or --clean to start over"
        case .conflict(let message): message
        case .unavailable(let message): message
        case .deadlinePassed(let milliseconds):
            "the deadline \(milliseconds) (ms since the epoch) passed before the call ran; it was not applied"
        }
    }
}

/// Limits that protect the store and the wire. Documented in docs/PROTOCOL.md.
public enum StoreLimits {
    /// Largest note content, in UTF-8 bytes.
    public static let maxContentBytes = 64 * 1024
    /// Longest account name, in characters.
    public static let maxAccountNameLength = 200
    /// Largest request body the REST API and a proxy read, in bytes: a batch of large notes
    /// fits; anything bigger is refused with HTTP 413 before it is read into memory.
    public static let maxRequestBodyBytes = 1 << 20

    public static func validateContent(_ content: String) throws {
        let bytes = content.utf8.count
        if bytes > maxContentBytes { throw StoreError.contentTooLarge(bytes: bytes, limit: maxContentBytes) }
    }

    public static func validateAccountName(_ name: String) throws {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw StoreError.invalidInput("account name must not be empty") }
        if trimmed.count > maxAccountNameLength {
            throw StoreError.invalidInput("account name is longer than \(maxAccountNameLength) characters")
        }
    }
}
