import Foundation
import Hummingbird
import Store

/// Live re-sharding over REST: accounts show where they live, `POST /accounts/{id}/move`
/// moves one, `POST /shards` grows the active shards, `POST /shards/{n}/drain` empties and
/// retires one, `POST /migrate` moves every note to another engine (docs/REST.md,
/// docs/RESHARDING.md). Each answers 202 once its moves are queued; the `ReshardingWorker`
/// carries them out.
extension RESTAPI {
    /// An account with its `shard` and `moving`.
    func view(_ account: Account) -> AccountView {
        let (shard, moving) = actions.placement.view.location(of: account.id)
        return AccountView(id: account.id.uuidText, name: account.name, shard: shard, moving: moving)
    }

    /// `{"shard": M}` → 202 `{"accountId", "from", "to"}`.
    func moveAccount(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let accountId = try id(context)
        let body = try await JSONBody.decode(MoveBody.self, from: request)
        let (from, to) = try await actions.moveAccount(accountId, toShard: body.shard)
        return try JSONBody.response(MoveAccepted(accountId: accountId.uuidText, from: from, to: to), status: .accepted)
    }

    /// `{"count": N, "engine": "sqlite" | "postgres"}` → 202 `{"from", "to"}`; without an
    /// engine the new shards are on the newest shard's.
    func growShards(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(GrowBody.self, from: request)
        let (from, to) = try await actions.growShards(to: body.count, engine: body.engine)
        return try JSONBody.response(GrowAccepted(from: from, to: to), status: .accepted)
    }

    /// → 202 `{"shard", "from", "to"}`: `from`/`to` are the active shards before and after.
    func drainShard(_ context: BasicRequestContext) async throws -> Response {
        let text = context.parameters.get("shard") ?? ""
        guard let shard = Int(text), shard >= 0 else { throw APIError.badRequest("invalid shard number: \(text)") }
        let (from, to) = try await actions.drainShard(shard)
        return try JSONBody.response(DrainAccepted(shard: shard, from: from, to: to), status: .accepted)
    }

    /// `{"engine": "postgres" | "sqlite"}` → 202 `{"from", "to", "adding", "draining"}`: the
    /// engines, and the shards each way.
    func migrate(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(MigrateBody.self, from: request)
        _ = try await actions.migrate(to: body.engine)
        let placement = actions.placement.view.placement
        let shards = placement.states.indices
        return try JSONBody.response(MigrateAccepted(
            from: body.engine.other.rawValue, to: body.engine.rawValue,
            adding: shards.filter { placement.state(of: $0) == .active && placement.engine(of: $0) == body.engine },
            draining: shards.filter { placement.state(of: $0) == .draining }), status: .accepted)
    }
}

/// An account as the REST API shows it.
struct AccountView: Encodable {
    let id: String
    let name: String
    let shard: Int
    let moving: MoveView?

    private enum CodingKeys: String, CodingKey { case id, name, shard, moving }

    /// `moving` is always there: null when the account stays.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(shard, forKey: .shard)
        try container.encode(moving, forKey: .moving)
    }
}

private struct MoveBody: Decodable { let shard: Int }
private struct GrowBody: Decodable {
    let count: Int
    let engine: ShardEngine?
}
private struct MoveAccepted: Encodable {
    let accountId: String
    let from: Int
    let to: Int
}
private struct MigrateBody: Decodable { let engine: ShardEngine }
private struct DrainAccepted: Encodable {
    let shard: Int
    let from: Int
    let to: Int
}
private struct MigrateAccepted: Encodable {
    let from: String
    let to: String
    let adding: [Int]
    let draining: [Int]
}
private struct GrowAccepted: Encodable {
    let from: Int
    let to: Int
}
