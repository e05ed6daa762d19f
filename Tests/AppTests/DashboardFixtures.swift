import Foundation
@testable import App
@testable import Proxy
@testable import Store
@testable import Telemetry

/// Fixed dashboard states for render and update tests.
enum DashboardFixtures {
    /// This terminal's cell widths, and clocks in UTC so the expected times don't depend on
    /// where the tests run.
    static let environment = RenderEnvironment(measure: RenderEnvironment.terminal.measure, timeZone: TimeZone(identifier: "UTC")!)
    static let launched = Date(timeIntervalSince1970: 1_795_860_000)
    static let ada = Account(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!, name: "Ada")
    static let bob = Account(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000B0")!, name: "Bob 東京")
    static let firstNote = Note(id: UUID(uuidString: "00000000-0000-0000-0000-00000000000F")!, creator: ada.id,
                                createdAt: launched, updatedAt: launched, content: "Buy milk")
    static let secondNote = Note(id: UUID(uuidString: "00000000-0000-0000-0000-000000000005")!, creator: ada.id,
                                 createdAt: launched, updatedAt: launched.addingTimeInterval(60), content: "Ship v2 ✓")

    /// Ada on shard 0 and Bob on shard 1, as moved there; `moving` puts Bob's move to shard 0 under way.
    static func placement(moving: Bool = false) -> PlacementView {
        let move = AccountMove(accountId: bob.id, from: 1, to: 0, copied: 40, total: 100, switched: false)
        return PlacementView(placement: PlacementSnapshot(shardCount: 2, engines: [.sqlite, .postgres], homes: [ada.id: 0, bob.id: 1], moves: moving ? [move] : [],
                                                          notesPerShard: [2, 0]),
                             accounts: [ada, bob])
    }

    static func snapshot(status: DeploymentStatus = .ready, rolloutSecondsLeft: Int? = nil, failures: Int = 0,
                         moving: Bool = false) -> ServiceSnapshot {
        let v1 = VersionSnapshot(id: 1, pid: 4100, port: 39001, launchedAt: launched, requestsPerSec: 9.1, readyMs: 40, serving: true)
        let v2 = VersionSnapshot(id: 2, pid: 4242, port: 40123, launchedAt: launched.addingTimeInterval(60), requestsPerSec: 9.5,
                                 readyMs: 38, serving: true)
        let rolling = status == .rolloutWait
        let deployment = DeploymentSnapshot(status: status, current: rolling ? v2 : v1, previous: rolling ? v1 : nil,
                                            rolloutSecondsLeft: rolloutSecondsLeft, rolloutWaitSeconds: 30,
                                            targetVersion: rolling ? 2 : nil, restarts: 0, deploys: rolling ? 2 : 1)
        var shards = DataStoreStats()
        shards.noteReadRequests = ["shard-0": RequestStats(totalRequests: 120, requestsPerSec: 3.2),
                                   "shard-1": RequestStats(totalRequests: 80, requestsPerSec: 2.0)]
        shards.noteCreateRequests = ["shard-0": RequestStats(totalRequests: 7, requestsPerSec: 0.4)]
        return ServiceSnapshot(
            deployment: deployment,
            proxies: ["1": ["noteReadRequests": RequestStats(totalRequests: 100, requestsPerSec: 4.5)]],
            shards: shards,
            load: LoadStats(running: true, accounts: 5, requests: 1234, failures: failures, consistencyMisses: 0, requestsPerSec: 10),
            api: [RouteStats(method: "GET", route: "/accounts/{id}/notes", status: 200, count: 40, requestsPerSec: 10, p95Ms: 1.2)],
            placement: placement(moving: moving),
            service: .init(restAddress: "127.0.0.1:8080", uptimeSeconds: 75, shardCount: 2))
    }

    static func state(status: DeploymentStatus = .ready, rolloutSecondsLeft: Int? = nil) -> DashboardState {
        var state = DashboardState()
        _ = DashboardUpdate.update(&state, .refreshed(snapshot(status: status, rolloutSecondsLeft: rolloutSecondsLeft),
                                                       logs: (1...40).map { "00:00:\(String(format: "%02d", $0)) INFO test: line \($0)" }))
        _ = DashboardUpdate.update(&state, .notesLoaded(accounts: [.init(account: ada, noteCount: 2), .init(account: bob, noteCount: 0)],
                                                         notes: [firstNote, secondNote], forAccount: ada.id,
                                                         selectionChanges: state.notes.selectionChanges))
        return state
    }
}
