import GRDB

/// What an acknowledged write survives: SQLite's `synchronous` mode on every database's
/// writer connection (docs/DEPLOYMENTS.md, "Durability", has the measurement behind the
/// default).
///
/// In WAL mode both survive a crash of the process — of a proxy or of `notely` — since a
/// committed transaction is in the WAL file before the call returns. They differ on power loss
/// or an OS crash: `full` syncs the WAL at every commit, so a write acknowledged is on disk;
/// `normal` syncs only at checkpoints, so the last writes before the power went may be lost
/// (the database stays consistent either way).
public enum Durability: String, CaseIterable, Sendable {
    case full, normal

    public static let `default` = Durability.normal

    /// Sets the mode on the pool's writer connection. GRDB sets NORMAL itself when it turns
    /// WAL on, so this runs after the pool is open.
    func apply(to pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: self == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        }
    }
}
