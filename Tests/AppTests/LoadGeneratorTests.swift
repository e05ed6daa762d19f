import Foundation
import Synchronization
import Testing
import TestSupport
@testable import App
@testable import Store

/// A fault injector for the miss-detection test: reads return the first content ever seen for
/// a note, as a stale cache would. Everything else goes to the real store.
struct StaleReadsStore: NoteStore {
    let real: any NoteStore
    let firstSeen = Shared<[UUID: Note]>([:])

    func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        let answer = try await real.perform(call)
        guard case .getNote(_, let noteId) = call, case .note(let fresh?) = answer else { return answer }
        return .note(firstSeen.update { seen in
            if seen[noteId] == nil { seen[noteId] = fresh }
            return seen[noteId]
        })
    }
}

@Suite(.serialized) struct LoadGeneratorTests {
    @Test func aCorrectStoreGivesZeroFailuresAndZeroMisses() async throws {
        let running = try await RunningService(load: .init(accounts: 3, requestsPerMinute: 6000))
        let generator = try #require(running.service.loadGenerator)
        #expect(await eventually(timeout: .seconds(60)) { generator.snapshot().requests >= 200 })
        try await running.stop()
        let load = generator.snapshot()
        #expect(load.failures == 0, "\(load.lastFailure ?? "")")
        #expect(load.consistencyMisses == 0, "\(load.lastMiss ?? "")")
        #expect(load.accounts == 3)
        #expect(!load.running)
    }

    @Test func staleReadsAreCountedAsMisses() async throws {
        let running = try await RunningService(load: .init(accounts: 3, requestsPerMinute: 6000),
                                               frontEndNotes: { StaleReadsStore(real: $0) })
        let generator = try #require(running.service.loadGenerator)
        #expect(await eventually(timeout: .seconds(20)) { generator.snapshot().consistencyMisses >= 3 })
        try await running.stop()
        let load = generator.snapshot()
        #expect(load.failures == 0)
        #expect(load.lastMiss?.contains("read other content") == true, "\(load.lastMiss ?? "")")
    }

    @Test func pausingStopsTrafficAndRestartsReuseAccounts() async throws {
        let directory = TemporaryDirectory("notely-load")
        do {
            let running = try await RunningService(load: .init(accounts: 2, requestsPerMinute: 6000), directory: directory)
            let generator = try #require(running.service.loadGenerator)
            #expect(await eventually { generator.snapshot().requests >= 20 })
            let skippedBefore = generator.skippedTicks
            generator.setEnabled(false)
            #expect(await eventually { generator.pauseHasTakenHold(skippedSince: skippedBefore, ticks: 2) })
            let paused = generator.snapshot().requests
            let skippedAtPause = generator.skippedTicks
            #expect(await eventually { generator.pauseHasTakenHold(skippedSince: skippedAtPause, ticks: 20) })
            #expect(generator.snapshot().requests == paused)
            #expect(!generator.snapshot().running)
            try await running.stop()
        }
        let again = try await RunningService(load: .init(accounts: 2, requestsPerMinute: 6000), directory: directory)
        let generator = try #require(again.service.loadGenerator)
        #expect(await eventually { generator.snapshot().requests >= 50 })
        let accounts = try await again.request(.GET, "/accounts")
        #expect((accounts.json as? [Any])?.count == 2, "accounts load-1 and load-2 are reused, not created again")
        try await again.stop()
        #expect(generator.snapshot().consistencyMisses == 0, "notes seeded from the earlier run are checked too")
    }
}
