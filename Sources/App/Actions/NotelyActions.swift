import Foundation
import Proxy
import Store

/// What a person can do with Notely, once, for every front end: the REST API and the dashboard
/// both call these, so the rules — an account must exist, a note is stamped when it is made and
/// edited strictly after the version it was edited from, a move is refused while a growth runs
/// — are written here and nowhere else. Every error comes out as an `ActionError`.
struct NotelyActions: Sendable {
    let accounts: any AccountStore
    /// The notes of every account: in the running service, the deployment controller.
    let notes: any NoteStore
    let controller: DeploymentController?
    /// Where accounts live and what moves.
    let placement: ReshardingWorker

    // MARK: Accounts

    func listAccounts() async throws -> [Account] {
        try await sorting { try await accounts.listAccounts() }
    }

    func account(_ id: UUID) async throws -> Account {
        try await sorting {
            guard let account = try await accounts.getAccount(id: id) else { throw StoreError.accountNotFound(id) }
            return account
        }
    }

    func createAccount(name: String) async throws -> Account {
        try await sorting {
            let account = Account(name: name.trimmingCharacters(in: .whitespacesAndNewlines))
            try await accounts.createAccount(account)
            return account
        }
    }

    func renameAccount(_ id: UUID, to name: String) async throws -> Account {
        var account = try await account(id)
        account.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await sorting {
            try await accounts.updateAccount(account)
            return account
        }
    }

    // MARK: Notes

    /// All of an account's notes, oldest first, or a page of them (`limit` after `after`).
    func notes(of accountId: UUID, limit: Int? = nil, after: UUID? = nil) async throws -> [Note] {
        _ = try await account(accountId)
        return try await sorting { try await notes.listNotes(accountId: accountId, limit: limit, after: after) }
    }

    /// How many notes the account has.
    func countNotes(of accountId: UUID) async throws -> Int {
        try await sorting { try await notes.countNotes(accountId: accountId) }
    }

    func note(_ noteId: UUID, of accountId: UUID) async throws -> Note {
        _ = try await account(accountId)
        return try await sorting {
            guard let note = try await notes.getNote(accountId: accountId, noteId: noteId) else { throw StoreError.noteNotFound(noteId) }
            return note
        }
    }

    /// A new note, stamped now.
    func createNote(in accountId: UUID, content: String) async throws -> Note {
        _ = try await account(accountId)
        let now = Note.now()
        let note = Note(creator: accountId, createdAt: now, updatedAt: now, content: content)
        try await sorting { try await notes.createNote(accountId: accountId, note: note) }
        return note
    }

    /// The note as it is now, with new content.
    func editNote(_ noteId: UUID, of accountId: UUID, content: String) async throws -> Note {
        try await edit(try await note(noteId, of: accountId), content: content)
    }

    /// `original` with new content, stamped strictly after it (`Note.edited`): the store keeps
    /// only a strictly newer edit.
    func edit(_ original: Note, content: String) async throws -> Note {
        let edited = original.edited(content: content)
        try await sorting { try await notes.updateNote(accountId: edited.creator, note: edited) }
        return edited
    }

    func deleteNote(_ noteId: UUID, of accountId: UUID) async throws {
        try await delete(try await note(noteId, of: accountId))
    }

    func delete(_ note: Note) async throws {
        try await sorting { try await notes.deleteNote(accountId: note.creator, note: note) }
    }

    /// The accounts' and the notes' stores both answer.
    func healthCheck() async throws {
        try await sorting {
            try await accounts.healthCheck()
            try await notes.healthCheck()
        }
    }

    // MARK: Re-sharding

    /// Queues a move of the account to `shard`; the placement worker carries it out.
    func moveAccount(_ accountId: UUID, toShard shard: Int) async throws -> (from: Int, to: Int) {
        _ = try await account(accountId)
        let change = try await sorting { try await notes.moveAccount(accountId, toShard: shard) }
        await placement.refresh()
        return change
    }

    /// Grows the active shards to `count` and queues the moves that rebalance them. The store
    /// answers the same growth asked again as the success it was (a retry after a proxy
    /// crash); a person asking while a change runs is refused.
    func growShards(to count: Int, engine: ShardEngine? = nil) async throws -> (from: Int, to: Int) {
        try refuseWhileChanging()
        let change = try await sorting { try await notes.growShards(to: count, engine: engine) }
        await placement.refresh()
        return change
    }

    /// Moves every account off shard `index`, then retires it.
    func drainShard(_ index: Int) async throws -> (from: Int, to: Int) {
        try refuseWhileChanging()
        let change = try await sorting { try await notes.drainShard(index) }
        await placement.refresh()
        return change
    }

    /// Moves every note to shards on `engine`: as many new ones as are active on the other,
    /// which are drained and retired.
    func migrate(to engine: ShardEngine) async throws -> (from: Int, to: Int) {
        try refuseWhileChanging()
        let change = try await sorting { try await notes.migrateShards(to: engine) }
        await placement.refresh()
        return change
    }

    /// One change of the shard set at a time: a second is refused with what runs. And none
    /// while a rollout of a rebuilt binary runs: the older build would route accounts by the
    /// placement rule it knows, not the set the change makes (docs/RESHARDING.md).
    private func refuseWhileChanging() throws {
        if let controller, controller.rebuildsOnDeploy, controller.status() != .ready {
            throw ActionError.conflict("a rollout of a rebuilt binary runs; change the shard set once it is READY (an older build routes by its own rule)")
        }
        if let change = placement.view.placement.change {
            throw ActionError.conflict("""
                the shard set is already changing (\(change.kind.rawValue) \(change.from) → \(change.to)): \
                \(change.accountsLeft) accounts left to move
                """)
        }
    }

    // MARK: Deployments

    /// Starts a rollout of the next version — in `steps` (percents of calls), or as configured
    /// (`--rollout-steps`) when nil; answers its number.
    func deploy(steps: [Int]? = nil) throws -> Int {
        let plan: RolloutPlan?
        do {
            plan = try steps.map { steps throws(RolloutPlanError) in try RolloutPlan(steps: steps) }
        } catch {
            throw ActionError(kind: .invalid, message: "steps: \(error)")
        }
        return try sorting { try deployments().startDeploy(plan: plan) }
    }

    /// A fault in the newest version, on purpose; answers what was done.
    func inject(_ fault: Fault) async throws -> String {
        try await sorting { try await deployments().inject(fault) }
    }

    func deployments() throws -> DeploymentController {
        guard let controller else { throw ActionError(kind: .unavailable, message: "no deployment controller") }
        return controller
    }

    // MARK: Errors

    private func sorting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw ActionError(error)
        }
    }

    private func sorting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw ActionError(error)
        }
    }
}
