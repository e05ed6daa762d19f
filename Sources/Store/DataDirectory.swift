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
    var placementURL: URL { url.appendingPathComponent("placement.sqlite") }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StoreError.unavailable("cannot create data dir \(url.path): \(error.localizedDescription)")
        }
    }

    /// Deletes Notely's own databases (with their WAL, shared-memory and journal files) and
    /// nothing else: other files in the folder, even other SQLite files, stay.
    public func removeDatabases() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for file in files where Self.isNotelyDatabaseFile(file) {
            try FileManager.default.removeItem(at: url.appendingPathComponent(file))
        }
    }

    /// `accounts.sqlite`, `shard-N.sqlite`, `placement.sqlite`, each with its `-wal`, `-shm`
    /// or `-journal` companion.
    static func isNotelyDatabaseFile(_ name: String) -> Bool {
        var base = Substring(name)
        for suffix in ["-wal", "-shm", "-journal"] where base.hasSuffix(suffix) { base = base.dropLast(suffix.count) }
        guard base.hasSuffix(".sqlite") else { return false }
        let stem = base.dropLast(".sqlite".count)
        if stem == "accounts" || stem == "placement" { return true }
        guard stem.hasPrefix("shard-") else { return false }
        let number = stem.dropFirst("shard-".count)
        return !number.isEmpty && number.allSatisfy(\.isASCII) && number.allSatisfy(\.isNumber)
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
