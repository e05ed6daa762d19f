import Foundation

extension DataDirectory {
    /// Deletes Notely's databases of this data dir — its SQLite files, and the schemas of its
    /// shards on PostgreSQL (named by the data dir's tag, so no other data dir's are touched).
    /// Refuses, deleting nothing, when it has PostgreSQL shards and no server is given.
    public func removeDatabases(postgres: PostgresSettings?) async throws {
        if FileManager.default.fileExists(atPath: placementURL.path) {
            let placement = try PlacementDatabase(url: placementURL, durability: .default, initialShardCount: 1, initialEngine: .sqlite)
            let state = try placement.state()
            try placement.close()
            let onPostgres = state.shards.filter { $0.value.engine == .postgres && !$0.value.dropped }.map(\.key).sorted()
            if !onPostgres.isEmpty {
                guard let postgres else {
                    throw StoreError.invalidInput("the data dir \(url.path) has shards on PostgreSQL; give --postgres URL so --clean can drop them")
                }
                let server = PostgresServer(settings: postgres)
                defer { server.close() }
                for index in onPostgres {
                    try await PostgresNoteShard(index: index, schema: state.postgresSchema(of: index), server: server)
                        .drop(deadline: Date() + 10)
                }
            }
        }
        try removeDatabases()
    }
}
