import Foundation
import GRDB

/// The folder that holds every SQLite file of one Notely installation.
public struct DataDirectory: Sendable {
    public let url: URL

    public init(path: String) {
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    public func shardURL(_ index: Int) -> URL { url.appendingPathComponent("\(ShardRouter.shardName(index)).sqlite") }
    public var accountsURL: URL { url.appendingPathComponent("accounts.sqlite") }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StoreError.unavailable("cannot create data dir \(url.path): \(error.localizedDescription)")
        }
    }

    /// Deletes the databases (and their WAL and shared-memory files), keeping anything else.
    public func removeDatabases() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for file in files where Self.isDatabaseFile(file) {
            try FileManager.default.removeItem(at: url.appendingPathComponent(file))
        }
    }

    static func isDatabaseFile(_ name: String) -> Bool {
        [".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal"].contains { name.hasSuffix($0) }
    }

    /// One GRDB configuration for every database: WAL (the pool's default), and a busy
    /// timeout so two processes writing the same file wait their turn instead of failing.
    static func configuration(label: String) -> Configuration {
        var config = Configuration()
        config.label = label
        config.busyMode = .timeout(10)
        return config
    }
}
