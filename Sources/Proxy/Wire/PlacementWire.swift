import Foundation
import Store

/// A `PlacementSnapshot` on the wire (the result of `GetPlacement` and `StepPlacement`,
/// docs/PROTOCOL.md): written by the proxy, read back by `ProxyClient`.
extension PlacementSnapshot {
    var json: JSONValue {
        .object([
            "shardCount": .integer(Int64(shardCount)),
            "engines": .array(engines.map { .string($0.rawValue) }),
            "homes": .object(Dictionary(uniqueKeysWithValues: homes.map { ($0.key.uuidText, .integer(Int64($0.value))) })),
            "moves": .array(moves.map { move in
                .object(["accountId": .string(move.accountId.uuidText), "from": .integer(Int64(move.from)),
                         "to": .integer(Int64(move.to)), "copied": .integer(Int64(move.copied)),
                         "total": .integer(Int64(move.total)), "switched": .bool(move.switched)])
            }),
            "states": .array(states.map { .string($0.rawValue) }),
            "rule": .string(rule.rawValue),
            "notesPerShard": .array(notesPerShard.map { .integer(Int64($0)) }),
            "change": change.map { change in
                var object: [String: JSONValue] = [
                    "kind": .string(change.kind.rawValue), "from": .integer(Int64(change.from)), "to": .integer(Int64(change.to)),
                    "accountsLeft": .integer(Int64(change.accountsLeft)), "notesLeft": .integer(Int64(change.notesLeft)),
                ]
                if let engine = change.engine { object["engine"] = .string(engine.rawValue) }
                return .object(object)
            } ?? .null,
            "verified": .integer(Int64(verified)),
            "recopied": .integer(Int64(recopied)),
            "undropped": .array(undropped.map { .integer(Int64($0)) }),
            "stepMicroseconds": stepSeconds.map { .integer(Int64($0 * 1_000_000)) } ?? .null,
        ])
    }

    /// Nil when `json` is not a placement.
    init?(json: JSONValue) {
        guard case .object(let object) = json, let shardCount = object["shardCount"]?.int,
              case .object(let homeValues)? = object["homes"], case .array(let moveValues)? = object["moves"],
              case .array(let noteValues)? = object["notesPerShard"] else { return nil }
        var homes: [UUID: Int] = [:]
        for (key, value) in homeValues {
            guard let id = UUIDText.parse(key), let shard = value.int else { return nil }
            homes[id] = shard
        }
        var moves: [AccountMove] = []
        for value in moveValues {
            guard case .object(let move) = value, case .string(let idText)? = move["accountId"], let id = UUIDText.parse(idText),
                  let from = move["from"]?.int, let to = move["to"]?.int, let copied = move["copied"]?.int,
                  let total = move["total"]?.int, case .bool(let switched)? = move["switched"] else { return nil }
            moves.append(AccountMove(accountId: id, from: from, to: to, copied: copied, total: total, switched: switched))
        }
        // A proxy from before engines existed sends none: its shards are all SQLite.
        var engines: [ShardEngine]?
        if case .array(let engineValues)? = object["engines"] {
            let named = engineValues.compactMap { value -> ShardEngine? in
                guard case .string(let name) = value else { return nil }
                return ShardEngine(rawValue: name)
            }
            guard named.count == engineValues.count else { return nil }
            engines = named
        }
        let notesPerShard = noteValues.compactMap(\.int)
        guard notesPerShard.count == noteValues.count else { return nil }
        var states: [ShardState]?
        if case .array(let stateValues)? = object["states"] {
            let named = stateValues.compactMap { value -> ShardState? in
                guard case .string(let name) = value else { return nil }
                return ShardState(rawValue: name)
            }
            guard named.count == stateValues.count else { return nil }
            states = named
        }
        var rule = ShardRouter.Rule.modulo   // a proxy from before rules existed used modulo
        if case .string(let name)? = object["rule"] {
            guard let named = ShardRouter.Rule(rawValue: name) else { return nil }
            rule = named
        }
        var change: ShardSetChange?
        if case .object(let value)? = object["change"] {
            guard case .string(let kindName)? = value["kind"], let kind = ShardSetChange.Kind(rawValue: kindName),
                  let from = value["from"]?.int, let to = value["to"]?.int, let left = value["accountsLeft"]?.int else { return nil }
            var engine: ShardEngine?
            if case .string(let name)? = value["engine"] { engine = ShardEngine(rawValue: name) }
            change = ShardSetChange(kind: kind, from: from, to: to, engine: engine, accountsLeft: left, notesLeft: value["notesLeft"]?.int ?? 0)
        }
        self.init(shardCount: shardCount, engines: engines, states: states, rule: rule, homes: homes, moves: moves,
                  notesPerShard: notesPerShard, change: change,
                  verified: object["verified"]?.int ?? 0, recopied: object["recopied"]?.int ?? 0,
                  undropped: { if case .array(let values)? = object["undropped"] { values.compactMap(\.int) } else { [] } }())
        stepSeconds = object["stepMicroseconds"]?.int.map { Double($0) / 1_000_000 }    }
}

extension JSONValue {
    fileprivate var int: Int? {
        if case .integer(let number) = self { return Int(number) }
        return nil
    }
}
