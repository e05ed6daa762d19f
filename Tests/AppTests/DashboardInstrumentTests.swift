import Foundation
import Testing
@testable import App
@testable import Proxy
@testable import Store
@testable import Telemetry

/// The dashboard as a demo instrument: traffic per version as sparklines, the selected note
/// whole, the REST API's figures, the logs of one source — drawn by the pure render at the
/// three sizes a presenter uses, never cutting a word.
@Suite struct DashboardInstrumentTests {
    init() { setlocale(LC_CTYPE, "C.UTF-8") }

    static let sizes = [(80, 24), (120, 40), (160, 48)]

    func render(_ state: DashboardState, _ width: Int, _ height: Int) -> String {
        DashboardRenderer.render(state, width: width, height: height, environment: DashboardFixtures.environment).text
    }

    /// A state after `seconds` refreshes of a rollout: v1 alone at 10 req/s, then v2 taking
    /// the traffic over, then v1 retired.
    func rollout(seconds: Int = 40) -> DashboardState {
        var state = DashboardFixtures.state()
        for second in 0..<seconds {
            var snapshot = DashboardFixtures.snapshot(status: second < 10 ? .ready : (second < 30 ? .rolloutWait : .ready))
            let share = second < 10 ? 0 : (second < 30 ? Double(second - 10) / 20 : 1)
            let v1 = VersionSnapshot(id: 1, pid: 4100, port: 39001, launchedAt: DashboardFixtures.launched, requestsPerSec: 10 * (1 - share),
                                     readyMs: 40, serving: true)
            let v2 = VersionSnapshot(id: 2, pid: 4242, port: 40123, launchedAt: DashboardFixtures.launched, requestsPerSec: 10 * share,
                                     readyMs: 40, serving: true)
            snapshot.deployment.current = second < 10 ? v1 : v2
            snapshot.deployment.previous = second >= 10 && second < 30 ? v1 : nil
            _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: state.logs))
        }
        return state
    }

    @Test func trafficMovesFromVersionToVersionOnOneScale() {
        let state = rollout()
        #expect(state.traffic.versions == [2, 1], "v1 keeps its window after it retired")
        #expect(state.traffic.scale == 10)
        let v1 = Format.sparkline(state.traffic.rates[1] ?? [], scale: state.traffic.scale, width: 40)
        let v2 = Format.sparkline(state.traffic.rates[2] ?? [], scale: state.traffic.scale, width: 40)
        #expect(v1.hasPrefix("          ") && v1.contains("████") && v1.hasSuffix("      "), "v1 falls away: \(v1)")
        #expect(v2.hasPrefix("          ") && v2.hasSuffix("████"), "v2 takes over: \(v2)")
        #expect(Format.sparkline([1, 2, 3, 4], scale: 4, width: 4, window: 4) == "▂▄▆█", "a column a sample when there is room")
        #expect(Format.sparkline([4, 0, 0, 1], scale: 4, width: 2, window: 4) == "█▂", "else the highest of the samples a column covers")
        #expect(Format.sparkline([4], scale: 4, width: 3, window: 6) == "  █", "samples older than the history are blank")
        for (width, height) in Self.sizes {
            let text = render(state, width, height)
            #expect(text.contains("v2 ") && text.contains("█") && text.contains("▄"), "no sparkline at \(width)×\(height):\n\(text)")
        }
        var retired = state
        for _ in 0..<TrafficHistory.samples { _ = DashboardUpdate.update(&retired, .refreshed(retired.service!, logs: [])) }
        #expect(retired.traffic.versions == [2], "a retired version goes once its minute is all zero")
    }

    @Test func aThousandCharacterNoteReadsWholeAt120x40() {
        var state = DashboardFixtures.state()
        let words = (0..<200).map { "word\($0 % 10)" }.joined(separator: " ")   // 1,199 characters
        var long = DashboardFixtures.firstNote
        long.content = String(words.prefix(1000))
        _ = DashboardUpdate.update(&state, .notesLoaded(accounts: state.notes.accounts, notes: [long], forAccount: DashboardFixtures.ada.id,
                                                         selectionChanges: state.notes.selectionChanges))
        _ = DashboardUpdate.update(&state, .key(.character("v")))
        _ = DashboardUpdate.update(&state, .key(.character("v")))
        #expect(state.bottomView == .note)
        let text = render(state, 120, 40)
        let shown = text.split(separator: "\n").map { String($0.drop { $0 == "│" || $0 == " " }) }.joined(separator: " ")
        for index in stride(from: 0, to: 200, by: 7) where "word\(index % 10)".count + 1 <= 1000 - index * 6 {
            #expect(text.contains("word\(index % 10)"))
        }
        #expect(text.contains("1000 characters") && text.contains("id \(long.id.uuidText)"), "\(text)")
        #expect(!text.contains("PgUp/PgDn  v view"), "a 1,000-character note needs no scrolling at 120×40:\n\(text)")
        #expect(shown.contains(String(long.content.suffix(40))), "the end of the note is on screen:\n\(text)")

        // At 80×24 it scrolls, down to its last page and back.
        let small = render(state, 80, 24)
        #expect(small.contains("lines 1–"), "\(small)")
        _ = DashboardUpdate.update(&state, .key(.pageDown))
        let scrolled = render(state, 80, 24)
        #expect(!scrolled.contains("lines 1–") && scrolled.contains(String(long.content.suffix(20))), "\(scrolled)")
        _ = DashboardUpdate.update(&state, .key(.pageUp))
        #expect(render(state, 80, 24).contains("lines 1–"))
    }

    @Test func theAPIViewShowsEachRoutesFiguresWithErrorsInRed() {
        var state = DashboardFixtures.state()
        var snapshot = DashboardFixtures.snapshot()
        snapshot.api = [RouteStats(method: "GET", route: "/accounts/{id}/notes", status: 200, count: 40, requestsPerSec: 10, p95Ms: 1.2),
                        RouteStats(method: "POST", route: "/accounts/{id}/notes", status: 413, count: 2, requestsPerSec: 0.1, p95Ms: 15.4)]
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        _ = DashboardUpdate.update(&state, .key(.character("v")))
        #expect(state.bottomView == .api)
        for (width, height) in Self.sizes {
            let grid = DashboardRenderer.render(state, width: width, height: height, environment: DashboardFixtures.environment)
            let text = grid.text
            #expect(text.contains("p95 ms") && text.contains("/accounts/{id}/notes") && text.contains("1.2") && text.contains("15"),
                    "\(width)×\(height):\n\(text)")
            let errorRow = (0..<grid.height).first { grid.line($0).contains("413") }
            #expect(errorRow != nil, "no 413 row at \(width)×\(height)")
            if let errorRow {
                let line = grid.line(errorRow)
                let column = line.distance(from: line.startIndex, to: line.range(of: "413")!.lowerBound)
                #expect(grid[column, errorRow].style.role == .bad, "an error row is red")
            }
        }
    }

    @Test func lCyclesTheLogsThroughEachSource() {
        var state = DashboardFixtures.state()
        let logs = ["10:00:00 INFO deploy: v1 is serving", "[v1] 10:00:00 INFO proxy: serving", "[v2] 10:00:01 INFO proxy: serving"]
        _ = DashboardUpdate.update(&state, .refreshed(DashboardFixtures.snapshot(), logs: logs))
        var seen: [String] = []
        for _ in 0..<4 {
            _ = DashboardUpdate.update(&state, .key(.character("l")))
            seen.append(state.logFilter.title)
        }
        #expect(seen == ["notely", "v1", "v2", "all"])
        _ = DashboardUpdate.update(&state, .key(.character("l")))
        _ = DashboardUpdate.update(&state, .key(.character("l")))
        let text = render(state, 120, 40)
        #expect(text.contains("Logs of v1") && text.contains("[v1] 10:00:00") && !text.contains("[v2] 10:00:01") && !text.contains("deploy: v1"),
                "\(text)")
    }

    @Test func everyPaneFitsAtEverySizeWithoutCuttingAWord() {
        var state = rollout(seconds: 20)
        state.showHelp = true
        for (width, height) in Self.sizes {
            let text = render(state, width, height)
            for (_, help) in Keymap.helpRows { #expect(text.contains(help), "help cut at \(width)×\(height): \(help)") }
        }
        state.showHelp = false
        for (width, height) in Self.sizes {
            for view in DashboardState.BottomView.allCases {
                state.bottomView = view
                let text = render(state, width, height)
                for title in ["Deployments", "Shards", "Notes"] { #expect(text.contains(title), "\(title) at \(width)×\(height)") }
                #expect(text.split(separator: "\n").count == height)
            }
        }
    }
}
