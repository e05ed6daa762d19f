import Foundation
import GRDB

/// The note rows of a data dir's shard files, read straight from SQLite: what a move left
/// behind, whatever the placement says.
public struct ShardFiles {
    /// Per shard index with a file: each note's id → its account (both as stored, upper case).
    public let notes: [Int: [String: String]]

    public init(dataDirectory: String) throws {
        var notes: [Int: [String: String]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: dataDirectory) {
            guard let match = file.wholeMatch(of: /shard-(\d+)\.sqlite/), let index = Int(match.1) else { continue }
            let queue = try DatabaseQueue(path: "\(dataDirectory)/\(file)")
            defer { try? queue.close() }
            notes[index] = try queue.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, creator FROM note").map { row -> (String, String) in
                    (row[0], row[1])
                })
            }
        }
        self.notes = notes
    }

    /// Note ids found on more than one shard.
    public var duplicates: [String] {
        var seen: [String: Int] = [:]
        for shard in notes.values { for id in shard.keys { seen[id, default: 0] += 1 } }
        return seen.filter { $0.value > 1 }.map(\.key)
    }

    /// Every note id, on whichever shard.
    public var allIds: Set<String> { Set(notes.values.flatMap(\.keys)) }

    /// The shards that hold notes of `account` (any case).
    public func shards(holding account: String) -> [Int] {
        let key = account.uppercased()
        return notes.keys.sorted().filter { notes[$0]?.values.contains(key) == true }
    }
}
