import Foundation
import Store
import Testing
@testable import App
@testable import Proxy

/// The pure `render(state, size)`: fixed states drawn into a grid and read back as text.
@Suite struct DashboardRenderTests {
    init() { setlocale(LC_CTYPE, "C.UTF-8") }

    func render(_ state: DashboardState, _ width: Int, _ height: Int) -> Grid {
        DashboardRenderer.render(state, width: width, height: height, environment: DashboardFixtures.environment)
    }

    /// The header shows the PostgreSQL server's state when there is one, and nothing of it without.
    @Test func theHeaderShowsThePostgresServer() {
        func header(_ state: DashboardState) -> Substring { render(state, 120, 40).text.split(separator: "\n").first ?? "" }
        #expect(!header(DashboardFixtures.state()).contains("pg "))
        var snapshot = DashboardFixtures.snapshot()
        snapshot.placement.postgres = .init(server: "PostgreSQL at 127.0.0.1:5432 (database notely)", up: false, message: "refused")
        var state = DashboardFixtures.state()
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        #expect(header(state).contains("pg DOWN"))
        snapshot.placement.postgres?.up = true
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        #expect(header(state).contains("pg up"))
    }

    @Test(arguments: [(80, 24), (160, 48), (120, 40)])
    func everyPaneShowsAtEverySize(width: Int, height: Int) {
        let text = render(DashboardFixtures.state(), width, height).text
        for title in ["Deployments", "Shards", "Notes", "Logs"] { #expect(text.contains(title), "\(title) missing at \(width)×\(height)") }
        #expect(text.contains("READY"))
        #expect(text.contains("v1"))
        #expect(text.contains("s0 sqlite") && text.contains("s1 pg"), "each shard with its engine")
        #expect(text.contains("Ada") && text.contains("Bob 東京"))
        #expect(text.contains("Buy milk") && text.contains("Ship v2 ✓"))
        #expect(text.contains("d deploy"))
        #expect(text.contains("q quit"))
        #expect(text.contains("line 40"), "the newest log line is at the bottom")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == height)
        let grid = render(DashboardFixtures.state(), width, height)
        for y in 0..<height {
            #expect(grid.measure.of(grid.line(y)) == width, "row \(y) is not \(width) columns wide: \(grid.line(y))")
        }
    }

    @Test func theShardsPaneShowsWhereTheDataLivesAndWhatMoves() {
        var state = DashboardFixtures.state()
        let still = render(state, 120, 40)
        #expect(still.text.contains("accts") && still.text.contains("notes"))
        #expect(still.text.contains("Shards  m\u{00A0}move  +\u{00A0}shard"), "the Shards pane title names its keys")
        #expect(!still.text.contains("moving"))
        let bobRow = still.text.split(separator: "\n").first { $0.contains("Bob 東京") } ?? ""
        #expect(bobRow.contains("s1"), "an account shows its shard: \(bobRow)")

        _ = DashboardUpdate.update(&state, .refreshed(DashboardFixtures.snapshot(moving: true), logs: []))
        let moving = render(state, 120, 40)
        #expect(moving.text.contains("moving Bob 東京 1 → 0 40%"), "\(moving.text)")
        let movingBob = moving.text.split(separator: "\n").first { $0.contains("│Bob") } ?? ""
        #expect(movingBob.contains("→s0 40%"), "a moving account shows where to, and how far: \(movingBob)")
    }

    /// A migration: each shard's engine and state, the line with what is left, its rate and
    /// time left, and the retired shards.
    @Test func theShardsPaneShowsAMigrationWithItsPace() {
        var state = DashboardFixtures.state()
        var snapshot = DashboardFixtures.snapshot()
        var view = PlacementView(placement: PlacementSnapshot(
            shardCount: 5, engines: [.sqlite, .sqlite, .sqlite, .postgres, .postgres], states: [.retired, .draining, .draining, .active, .active],
            notesPerShard: [0, 900, 1200, 2100, 1800],
            change: ShardSetChange(kind: .migrate, from: 2, to: 2, engine: .postgres, accountsLeft: 12, notesLeft: 3400)), accounts: [])
        view.progress = PlacementView.Progress(notesPerSecond: 5200, etaSeconds: 0.7)
        snapshot.placement = view
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        let text = render(state, 120, 40).text
        #expect(text.contains("migrating sqlite → pg: 12 accts, 3400 notes left") && text.contains("5200 notes/s, 00:01 left"), "\(text)")
        #expect(text.contains("s1 sqlite drain") && text.contains("s3 pg") && !text.contains("s0 sqlite"), "\(text)")
        #expect(text.contains("retired: s0"), "\(text)")
    }

    @Test func aRolloutShowsBothVersionsAndItsProgress() {
        let text = render(DashboardFixtures.state(status: .rolloutWait, rolloutSecondsLeft: 21), 80, 24).text
        #expect(text.contains("ROLLOUT_WAIT"))
        #expect(text.contains("v2") && text.contains("v1"))
        #expect(text.contains("21 s left"))
        #expect(text.contains("█") && text.contains("░"))
        #expect(text.contains("pid 4242") && text.contains("pid 4100"))
    }

    /// A progressive rollout: the steps with the one running, each version's share, errors and
    /// p95; then a rollback in red with its reason.
    @Test func aProgressiveRolloutShowsItsStepsFiguresAndRollback() throws {
        var state = DashboardFixtures.state(status: .rolloutWait, rolloutSecondsLeft: 12)
        var snapshot = DashboardFixtures.snapshot(status: .rolloutWait, rolloutSecondsLeft: 12)
        var newWindow = CallWindow()
        for index in 0..<40 { newWindow.record(seconds: 0.104, failed: index < 2) }
        var oldWindow = CallWindow()
        for _ in 0..<360 { oldWindow.record(seconds: 0.002, failed: false) }
        snapshot.deployment.current?.share = 10
        snapshot.deployment.current?.window = WindowFigures(newWindow)
        snapshot.deployment.previous?.share = 90
        snapshot.deployment.previous?.window = WindowFigures(oldWindow)
        let plan = try RolloutPlan(steps: [10, 50])
        snapshot.deployment.rollout = RolloutProgress(steps: plan.steps + [100], step: 0, stepSeconds: 15)
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        let during = render(state, 120, 40).text
        #expect(during.contains("steps 10% ▸ → 50% → 100%"), "\(during)")
        #expect(during.contains("v2  10%  err 5.0%  p95 1") && during.contains("v1  90%  err 0.0%  p95 2.1 ms"), "\(during)")

        let verdict = StepVerdict.judge(percent: 10, newVersion: 2, new: newWindow, previousVersion: 1, previous: oldWindow,
                                        thresholds: AnalysisThresholds())
        snapshot.deployment = DeploymentSnapshot(status: .ready, current: snapshot.deployment.previous, previous: nil,
                                                 lastError: "v2 rolled back to v1: \(verdict.summary)", deploys: 2,
                                                 rollout: RolloutProgress(steps: [10, 50, 100], step: nil, stepSeconds: 15,
                                                                          verdicts: [verdict], rolledBack: true))
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        let grid = render(state, 120, 40)
        #expect(grid.text.contains("steps 10% ✗ → 50% → 100%  rolled back"), "\(grid.text)")
        #expect(grid.text.contains("v2 rolled back to v1: step 10%: v2 failed the errors"), "\(grid.text)")
        #expect(grid.text.contains("check: errors 5% (2 of 40) > 0% of v1 + 1 points"), "\(grid.text)")
    }

    @Test func wideTerminalsShowMoreDetail() {
        let wide = render(DashboardFixtures.state(), 160, 48).text
        #expect(wide.contains("req/s"))
        #expect(wide.contains("create") && wide.contains("update") && wide.contains("delete"), "per-operation columns")
        #expect(wide.contains("failures 0"))
        let narrow = render(DashboardFixtures.state(), 80, 24).text
        #expect(narrow.contains("fail 0"))
    }

    @Test func theEditFieldShowsItsTextAndPrompt() {
        var state = DashboardFixtures.state()
        _ = DashboardUpdate.update(&state, .key(.character("n")))
        for character in "Call Zoë" { _ = DashboardUpdate.update(&state, .key(.character(character))) }
        let text = render(state, 80, 24).text
        #expect(text.contains("New note: Call Zoë"))
        _ = DashboardUpdate.update(&state, .key(.escape))
        #expect(!render(state, 80, 24).text.contains("New note:"))
    }

    @Test func theDeleteQuestionAndTheHelpOverlay() {
        var state = DashboardFixtures.state()
        _ = DashboardUpdate.update(&state, .key(.tab))
        _ = DashboardUpdate.update(&state, .key(.character("x")))
        #expect(render(state, 80, 24).text.contains("Delete “Buy milk”? y/n"))
        var help = DashboardFixtures.state()
        _ = DashboardUpdate.update(&help, .key(.character("?")))
        let text = render(help, 80, 24).text
        #expect(text.contains("Keys") && text.contains("deploy the next proxy version"))
    }

    @Test func failuresAreHighlighted() {
        var state = DashboardFixtures.state()
        _ = DashboardUpdate.update(&state, .refreshed(DashboardFixtures.snapshot(failures: 3), logs: []))
        let grid = render(state, 120, 40)
        let header = grid.line(0)
        let column = header.distance(from: header.startIndex, to: header.range(of: "failures 3")!.lowerBound)
        #expect(grid[column, 0].style.role == .warningBanner)
    }

    @Test func tooSmallSaysSo() {
        let text = render(DashboardFixtures.state(), 60, 20).text
        #expect(text.contains("needs at least 80×24"))
        #expect(!text.contains("Deployments"))
    }

    @Test func clocksAreShownInTheGivenTimeZone() {
        #expect(render(DashboardFixtures.state(), 120, 40).text.contains("10:00:00"))
        var tokyo = DashboardFixtures.environment
        tokyo.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let text = DashboardRenderer.render(DashboardFixtures.state(), width: 120, height: 40, environment: tokyo).text
        #expect(text.contains("19:00:00") && !text.contains("10:00:00"))
    }

    @Test func cellWidthsComeFromTheEnvironment() {
        let narrowEverything = RenderEnvironment(measure: DisplayWidth { _ in 1 }, timeZone: DashboardFixtures.environment.timeZone)
        var grid = Grid(width: 10, height: 1, environment: narrowEverything)
        #expect(grid.put("東京ab", x: 0, y: 0) == 4)
        #expect(!grid[1, 0].isContinuation)
    }

    @Test func wideCharactersTakeTwoColumns() {
        var grid = Grid(width: 10, height: 1, environment: DashboardFixtures.environment)
        #expect(grid.put("東京ab", x: 0, y: 0) == 6)
        #expect(grid.line(0) == "東京ab    ")
        #expect(grid[1, 0].isContinuation)
        #expect(grid.put("東京東京東京", x: 0, y: 0, maxWidth: 4) == 3, "a word that does not fit ends in …: \(grid.line(0))")
        #expect(grid.line(0).hasPrefix("東…"))
    }

    @Test func textThatDoesNotFitLosesWholeWords() {
        var grid = Grid(width: 20, height: 3, environment: DashboardFixtures.environment)
        #expect(grid.put("edit the note (Esc cancels)", x: 0, y: 0, maxWidth: 16) == 13)
        #expect(grid.line(0) == "edit the note       ")
        grid.put("delete everything", x: 0, y: 1, maxWidth: 7)
        #expect(grid.line(1).hasPrefix("delete "), "a space at the cut: the word before it stays whole")
        grid.put("supercalifragilistic", x: 0, y: 2, maxWidth: 6)
        #expect(grid.line(2).hasPrefix("super…"), "one word wider than the space is cut with …")
    }
}
