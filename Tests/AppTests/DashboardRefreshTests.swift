import Foundation
import Testing
import TestSupport
@testable import App
@testable import Store

/// A note store in front of the real one that answers `CountNotes` slowly, as a busy proxy
/// would, and records how many loads overlap and what lists were asked for.
struct SlowCountsStore: NoteStore {
    let real: any NoteStore
    let countsInFlight = Shared(0)
    let mostCountsAtOnce = Shared(0)
    let countsDone = Shared(0)
    let listLimits = Shared<[Int?]>([])

    func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        switch call {
        case .countNotes:
            let now = countsInFlight.update { $0 += 1; return $0 }
            mostCountsAtOnce.update { $0 = max($0, now) }
            defer {
                countsInFlight.update { $0 -= 1 }
                countsDone.update { $0 += 1 }
            }
            try await Task.sleep(for: .milliseconds(20))   // the slowness under test, not a wait for an event
        case .listNotes(_, let limit, _):
            listLimits.update { $0.append(limit) }
        default:
            break
        }
        return try await real.perform(call)
    }
}

@Suite(.serialized) struct DashboardRefreshTests {
    @Test func loadsNeverOverlapAndAskOnlyForAPage() async throws {
        let slow = Shared<SlowCountsStore?>(nil)
        let running = try await RunningService(frontEndNotes: { real in
            let store = SlowCountsStore(real: real)
            slow.update { $0 = store }
            return store
        })
        let store = try #require(slow.value)
        for index in 0..<8 { _ = try await running.request(.POST, "/accounts", body: #"{"name":"a\#(index)"}"#) }
        let runtime = DashboardRuntime(service: running.service)
        let refresh = Task { await runtime.refreshLoop() }
        #expect(await eventually { runtime.current.notes.accounts.count == 8 })
        // Keys that move the selection ask for loads while loads run.
        for _ in 0..<20 { runtime.send(.key(.down)); runtime.send(.key(.up)) }
        let done = store.countsDone.value
        #expect(await eventually { store.countsDone.value >= done + 24 }, "three more loads of eight counts")
        refresh.cancel()
        await refresh.value
        #expect(store.mostCountsAtOnce.value == 1, "two loads overlapped")
        #expect(store.listLimits.value.allSatisfy { $0 == DashboardRuntime.notesShown }, "\(store.listLimits.value)")
        try await running.stop()
    }
}
