/// Where a shard's rows live (docs/ENGINES.md): a SQLite file in the data dir — the embedded
/// default — or tables of their own (a schema) in the PostgreSQL database `--postgres` names.
/// Recorded per shard in `placement.sqlite`, so every proxy version agrees on it.
public enum ShardEngine: String, Sendable, CaseIterable, Codable {
    case sqlite
    case postgres

    /// The engine a migration from this one goes to (`M`, `POST /migrate`).
    public var other: ShardEngine {
        switch self {
        case .sqlite: .postgres
        case .postgres: .sqlite
        }
    }

    /// The engine as the dashboard's Shards pane shows it beside the shard (`s2 pg`).
    public var shortName: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "pg"
        }
    }
}
