import Foundation
import Store

/// Routing: every note-store call goes to a serving version — at random when two serve, or by
/// the step's shares in a progressive rollout — and a crash, a hang or a refusal costs it
/// nothing but time.
///
/// - A call that finds no serving version (between a crash and its replacement) waits for one,
///   up to its deadline.
/// - A call that never reached a proxy (connection refused) goes to another, or waits.
/// - A call a proxy refused before running it (`Misbehaviour.errors`) goes to another version,
///   or to the same one again when it serves alone: it never applied.
/// - A call that may have reached a proxy that then died or hung is sent again only once that
///   process is gone (a hung one is killed by supervision), so the first try can never land
///   after the second. Writes are safe to send again (`NoteRows`): the same create is a success
///   and never brings back a note deleted since (its tombstone answers), an update replaces
///   only an older `updatedAt`, and a delete whose first try landed
///   finds nothing — which, on a second try, is the success it was (only after a try that may
///   have reached a proxy: one refused at connect time never ran). A move sent again finds
///   itself queued, or done, which is the success it was too.
extension DeploymentController {
    /// How long a call may take, waits and retries included; also its deadline on the wire.
    public static let callDeadline: Duration = .seconds(8)

    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        guard call.accountId != nil else { return try await route(call) }
        let started = ContinuousClock.now
        defer { recentLatencies.record(seconds: (ContinuousClock.now - started).seconds) }
        return try await route(call)
    }

    private func route(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        let deadline = ContinuousClock.now + Self.callDeadline
        let wallDeadline = Date() + Self.callDeadline.seconds
        let homeBefore = await homeBeforeMove(call)
        var unreachable: [ServingProxy] = []
        var refusedBy: [ServingProxy] = []
        var lastFailure: (any Error)?
        var isRetry = false   // set once a try may have reached a proxy (and so may have landed)
        var tries = 0
        while true {
            guard let proxy = await enterServingProxy(excluding: unreachable, preferringNot: refusedBy, before: deadline) else {
                throw lastFailure ?? DeployError.noServingProxy
            }
            tries += 1
            if tries > 1 { stats.recordProxyRetry(operation: call.operation.rawValue) }
            let result = await attempt(call, on: proxy, deadline: wallDeadline)
            if result.isAnswer { AnsweringVersion.current?.record(proxy.id) }
            do {
                return try await answer(result, mirroring: call, answeredBy: proxy, deadline: wallDeadline)
            } catch let error as ProxyClientError where error.isNotSent {
                unreachable.append(proxy)   // it never got the call: try another, or wait for one
                lastFailure = error
            } catch let error as ProxyClientError where error.isRefused {
                // It never ran the call: another version gets it, or this one again — while time is left.
                guard ContinuousClock.now < deadline else { throw error }
                if !refusedBy.contains(where: { $0 === proxy }) { refusedBy.append(proxy) }
                lastFailure = error
            } catch let error as ProxyClientError where error.mayHaveReachedAProxyThatFailed {
                lastFailure = error
                guard await proxy.process.exited(before: deadline) else { throw error }
                logger.info("sending \(call.operation.rawValue) again: v\(proxy.id) (pid \(proxy.process.pid)) went away while it ran")
                isRetry = true
            } catch StoreError.noteNotFound where isRetry && call.operation == .deleteNote {
                return .done
            } catch let error as StoreError where isRetry && call.operation == .moveAccount {
                guard let answer = try await moveMadeByTheFirstTry(call, homeBefore: homeBefore) else { throw error }
                return answer
            }
        }
    }

    /// The try's answer, checked against the other version when the read is mirrored — `proxy`
    /// (entered for the try) left only then: the drain of a failed version waits for its last
    /// answers to be mirrored, so none of them leaves unchecked after its rollback ended.
    private func answer(_ result: Result<NoteStoreAnswer, any Error>, mirroring call: NoteStoreCall, answeredBy proxy: ServingProxy,
                        deadline: Date) async throws -> NoteStoreAnswer {
        defer { proxy.leave() }
        let answer = try result.get()
        return await mirror(call, answered: answer, by: proxy, deadline: deadline)
    }

    /// Sends `call` to `proxy` (entered for it, left by `answer`) and counts the try in its window: a
    /// try the proxy refused or failed is an error of that version, even when a retry then
    /// saves the call; a store error (a note not found) is an answer, not a failure. Its
    /// latency is the round trip the event loop saw when an answer came (what the version
    /// took), the whole try's time when none did.
    private func attempt(_ call: NoteStoreCall, on proxy: ServingProxy, deadline: Date) async -> Result<NoteStoreAnswer, any Error> {
        let started = ContinuousClock.now
        var roundTrip: Duration?
        let result: Result<NoteStoreAnswer, any Error>
        do {
            result = .success(try await proxy.client.perform(call, deadline: deadline, roundTrip: &roundTrip))
        } catch {
            result = .failure(error)
        }
        let took = roundTrip ?? ContinuousClock.now - started
        proxy.recordCall(seconds: took.seconds, failed: !result.isAnswer)
        stats.recordProxyTry(version: proxy.id, operation: call.operation.rawValue, nanoseconds: took.nanoseconds, failed: !result.isAnswer)
        return result
    }

    /// Where the account of a move lives before it is sent, to answer a retry whose first try
    /// already finished the move; nil for other calls, or when it can't be read (then such a
    /// retry answers the conflict it meets). Moves are rare: one more call is cheap.
    private func homeBeforeMove(_ call: NoteStoreCall) async -> Int? {
        guard case .moveAccount(let accountId, _) = call else { return nil }
        return try? await perform(.describePlacement).placement().shard(of: accountId)
    }

    /// A move refused on its second try because the first one landed: the move it queued (or,
    /// when it is done already, the account on its target), which is the first try's answer;
    /// nil when that is not what happened.
    private func moveMadeByTheFirstTry(_ call: NoteStoreCall, homeBefore: Int?) async throws -> NoteStoreAnswer? {
        guard case .moveAccount(let accountId, let shard) = call else { return nil }
        let placement = try await describePlacement()
        if let move = placement.move(of: accountId) {
            return move.to == shard ? .shardChange(from: move.from, to: move.to) : nil
        }
        guard let homeBefore, homeBefore != shard, placement.shard(of: accountId) == shard else { return nil }
        return .shardChange(from: homeBefore, to: shard)
    }

    /// A routable serving version, with a call marked in flight on it — by the rollout's shares
    /// when two serve, and one that refused this call only when no other serves. With none,
    /// waits until who serves changes, up to `deadline`; nil then, or once `notely` stops.
    private func enterServingProxy(excluding excluded: [ServingProxy], preferringNot refusedBy: [ServingProxy],
                                   before deadline: ContinuousClock.Instant) async -> ServingProxy? {
        while true {
            let (chosen, changed, stopped) = record.withLock { record in
                let candidates = record.rollout.serving.filter { proxy in proxy.isRoutable && !excluded.contains { $0 === proxy } }
                let preferred = candidates.filter { proxy in !refusedBy.contains { $0 === proxy } }
                let chosen = record.rollout.choose(among: preferred.isEmpty ? candidates : preferred)
                chosen?.enter()   // under the lock that takes versions out of the routing, so a drain never misses a call
                if case .stopped = record.rollout { return (chosen, record.changed, true) }
                return (chosen, record.changed, false)
            }
            if let chosen { return chosen }
            let left = deadline - ContinuousClock.now
            if stopped || left <= .zero { return nil }
            _ = await changed.wait(timeout: left)
        }
    }
}

extension Result<NoteStoreAnswer, any Error> {
    /// The version answered: a result, or a store error (a note not found is an answer too);
    /// not a refusal or a failure of the version itself.
    var isAnswer: Bool {
        if case .failure(let error) = self { return !(error is ProxyClientError) }
        return true
    }
}

extension DataProxyProcess {
    /// True once the process has exited, false if `deadline` comes first.
    func exited(before deadline: ContinuousClock.Instant) async -> Bool {
        if !isRunning { return true }
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.exited() != nil }
            group.addTask {
                try? await Task.sleep(for: left)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || !isRunning
        }
    }
}
