import GRDB

/// Turns SQLite's errors into the store's own, so a caller never sees a GRDB type.
func storeError(_ error: any Error, shard: String) -> any Error {
    guard let dbError = error as? DatabaseError else { return error }
    switch dbError.resultCode {
    case .SQLITE_FULL: return StoreError.unavailable("\(shard): disk full, the write was not saved")
    case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.unavailable("\(shard): database busy, try again")
    default: return StoreError.unavailable("\(shard): \(dbError.message ?? "\(dbError.resultCode)")")
    }
}

/// Runs a database call and maps whatever it throws. StoreErrors pass through unchanged.
func mappingErrors<T>(shard: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        throw error
    } catch {
        throw storeError(error, shard: shard)
    }
}
