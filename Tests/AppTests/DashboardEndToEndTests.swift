import Foundation
import Testing
import TestSupport
@testable import Proxy

/// A tmux session on a private server: a real terminal for the dashboard.
struct Tmux {
    let socket = "notely-test-\(UUID().uuidString.prefix(8))"
    let session = "notely"

    /// Runs a tmux command (spawned directly: the server tmux forks must not hold a pipe of ours).
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let (status, output) = try runCommand(["tmux", "-u", "-L", socket] + arguments)
        guard status == 0 else { throw TestSetupError("tmux \(arguments.joined(separator: " ")) failed: \(output)") }
        return output
    }

    func start(_ command: String, width: Int, height: Int) throws {
        try run(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), command])
    }

    func screen() -> String { (try? run(["capture-pane", "-p", "-t", session])) ?? "" }
    func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func type(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }
    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }

    func waitFor(_ timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async -> Bool {
        await eventually(timeout: timeout) { condition(screen()) }
    }

    func kill() { _ = try? run(["kill-server"]) }
}

/// `notely` in a real terminal, driven by keys, checked on screen and through the REST API.
@Suite(.serialized) struct DashboardEndToEndTests {
    @Test func thePresenterDemo() async throws {
        let directory = TemporaryDirectory("notely-e2e")
        let port = try freePort()
        let exitFile = directory.path + "/exit-status"
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd '\(directory.path)' && TERM=xterm-256color '\(try notelyExecutable().path)' --port \(port) "
            + "--rollout-wait 2 --data-dir data; echo $? > '\(exitFile)'; sleep 60"
        try tmux.start(command, width: 120, height: 40)
        let base = "http://127.0.0.1:\(port)"

        #expect(await tmux.waitFor { screen in
            ["Deployments", "Shards", "Notes", "Logs", "v1", "READY", "s0 sqlite"].allSatisfy(screen.contains)
        }, "\(tmux.screen())")
        let firstPid = try require(try await httpRequest(.GET, base + "/stats").json["deployment"]["current"]["pid"] as? Int)

        // d: v2 launches, serves beside v1, and the rollout ends READY on v2.
        try tmux.keys("d")
        #expect(await tmux.waitFor { $0.contains("ROLLOUT_") || $0.contains("v2") }, "\(tmux.screen())")
        #expect(await eventually(timeout: .seconds(20)) {
            let deployment = try? await httpRequest(.GET, base + "/stats").json["deployment"]
            return deployment["status"] as? String == "READY" && deployment["current"]["id"] as? Int == 2
        })
        #expect(await tmux.waitFor { $0.contains("READY") && $0.contains("v2") && !$0.contains("ROLLOUT_WAIT") }, "\(tmux.screen())")
        #expect(await eventually { !processIsAlive(Int32(firstPid)) }, "v1 still runs")
        #expect(await tmux.waitFor { screen in
            screen.split(separator: "\n").contains { $0.contains("│v2 ") && $0.contains(where: { "▁▂▃▄▅▆▇█".contains($0) }) }
        }, "no traffic sparkline for v2: \(tmux.screen())")

        // a + name + Enter, n + text + Enter: they reach the store and the REST API sees them.
        try tmux.keys("a")
        try tmux.type("Grace Hopper")
        try tmux.keys("Enter")
        #expect(await tmux.waitFor { $0.contains("account Grace Hopper created") }, "\(tmux.screen())")
        try tmux.keys("n")
        try tmux.type("nanoseconds ✓")
        try tmux.keys("Enter")
        #expect(await tmux.waitFor { $0.contains("note saved") && $0.contains("nanoseconds ✓") }, "\(tmux.screen())")
        let accounts = try await httpRequest(.GET, base + "/accounts").json as? [[String: Any]] ?? []
        let grace = try require(accounts.first { $0["name"] as? String == "Grace Hopper" }?["id"] as? String, "account Grace Hopper")
        let notes = try await httpRequest(.GET, base + "/accounts/\(grace)/notes").json as? [[String: Any]] ?? []
        #expect(notes.map { $0["content"] as? String } == ["nanoseconds ✓"])

        // v: the API's figures, then the selected note whole, then the logs again.
        try tmux.keys("v")
        #expect(await tmux.waitFor { $0.contains("p95 ms") && $0.contains("/accounts/{id}/notes") }, "\(tmux.screen())")
        try tmux.keys("v")
        #expect(await tmux.waitFor { $0.contains("─ Note") && $0.contains("13 characters") }, "\(tmux.screen())")
        try tmux.keys("v")
        #expect(await tmux.waitFor { $0.contains("─ Logs of all") }, "\(tmux.screen())")

        // k: the serving proxy is killed and replaced; the header's failure count stays 0.
        let beforeKill = try require(try await httpRequest(.GET, base + "/stats").json["deployment"]["current"]["pid"] as? Int)
        try tmux.keys("k")
        #expect(await tmux.waitFor { $0.contains("chaos: killed v2") }, "\(tmux.screen())")
        #expect(await tmux.waitFor { $0.contains("restarts 1") && $0.contains("failures 0") && $0.contains("misses 0") },
                "\(tmux.screen())")
        #expect(await eventually { !processIsAlive(Int32(beforeKill)) })

        // +: a third shard, the accounts rebalance live; m: Grace moves to the next shard. The
        // load generator's checks run throughout, and the header's counts stay 0.
        try tmux.keys("+")
        #expect(await tmux.waitFor { $0.contains("growing the shards 2 → 3") && $0.contains("s2 sqlite") }, "\(tmux.screen())")
        #expect(await eventually(timeout: .seconds(30)) {
            let placement = try? await httpRequest(.GET, base + "/stats").json["placement"]
            return placement["shardCount"] as? Int == 3 && placement["resharding"] is NSNull
        }, "the growth did not finish")
        let graceShard = try require(try await httpRequest(.GET, base + "/accounts/\(grace)").json["shard"] as? Int)
        try tmux.keys("m")
        #expect(await tmux.waitFor { $0.contains("moving the account shard-\(graceShard) → shard-\((graceShard + 1) % 3)") },
                "\(tmux.screen())")
        #expect(await eventually(timeout: .seconds(30)) {
            (try? await httpRequest(.GET, base + "/accounts/\(grace)").json["shard"] as? Int) == (graceShard + 1) % 3
        })
        #expect(try await httpRequest(.GET, base + "/accounts/\(grace)/notes").json.map { ($0 as? [Any])?.count } == 1)
        #expect(await tmux.waitFor { $0.contains("failures 0") && $0.contains("misses 0") }, "\(tmux.screen())")

        // A resize to 80×24 keeps every pane.
        try tmux.resize(width: 80, height: 24)
        #expect(await tmux.waitFor { screen in
            ["Deployments", "Shards", "Notes", "Logs"].allSatisfy(screen.contains) && screen.split(separator: "\n").count <= 24
        }, "\(tmux.screen())")

        // q: the terminal is given back, everything stops, exit status 0, no proxy left.
        let lastPid = try require(try await httpRequest(.GET, base + "/stats").json["deployment"]["current"]["pid"] as? Int)
        try tmux.keys("q")
        #expect(await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: exitFile) })
        let status = (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status == "0")
        #expect(await eventually { !processIsAlive(Int32(lastPid)) }, "a proxy outlived the dashboard")
        #expect(!tmux.screen().contains("Deployments"), "the terminal was not restored")
    }

    @Test func withoutATerminalItSaysToUseHeadless() async throws {
        let directory = TemporaryDirectory()
        let (status, output) = try await runProcess(try notelyExecutable(), ["--port", "0"], currentDirectory: directory.url)
        #expect(status == 2)
        #expect(output.contains("--headless"))
    }
    /// The migration as a presenter shows it: `M` moves every note of the running demo to
    /// PostgreSQL under the built-in load, `M` again brings them back; the header's failure and
    /// miss counts stay 0 throughout, and the Shards pane shows the engines change.
    @Test func theMigrationDemo() async throws {
        let directory = TemporaryDirectory("notely-e2e-migrate")
        let port = try freePort()
        let exitFile = directory.path + "/exit-status"
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd '\(directory.path)' && TERM=xterm-256color '\(try notelyExecutable().path)' --port \(port) "
            + "--data-dir data --postgres '\(try TestPostgres.url())'; echo $? > '\(exitFile)'; sleep 60"
        try tmux.start(command, width: 120, height: 40)
        let base = "http://127.0.0.1:\(port)"
        #expect(await tmux.waitFor { ["s0 sqlite", "s1 sqlite", "pg up"].allSatisfy($0.contains) }, "\(tmux.screen())")
        #expect(await eventually { (try? await httpRequest(.GET, base + "/stats").json["load"]["requests"] as? Int ?? 0) ?? 0 >= 20 },
                "the built-in load never got going")

        for (engine, short, shards) in [("postgres", "pg", ["s2 pg", "s3 pg"]), ("sqlite", "sqlite", ["s4 sqlite", "s5 sqlite"])] {
            try tmux.keys("M")
            #expect(await tmux.waitFor { $0.contains("migrating every note to \(engine)") }, "\(tmux.screen())")
            #expect(await eventually(timeout: .seconds(60)) {
                guard let placement = try? await httpRequest(.GET, base + "/stats").json["placement"] as? [String: Any],
                      placement["resharding"] is NSNull, let engines = placement["engines"] as? [String: String] else { return false }
                return engines.count == 2 && engines.values.allSatisfy { $0 == engine }
            }, "the migration to \(engine) did not finish: \(tmux.screen())")
            #expect(await tmux.waitFor { screen in shards.allSatisfy(screen.contains) && !screen.contains("\(short) drain") },
                    "\(tmux.screen())")
            #expect(await tmux.waitFor { $0.contains("failures 0") && $0.contains("misses 0") }, "\(tmux.screen())")
        }
        let load = try await httpRequest(.GET, base + "/stats").json["load"]
        #expect(load["failures"] as? Int == 0 && load["consistencyMisses"] as? Int == 0, "\(String(describing: load))")

        try tmux.keys("q")
        #expect(await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: exitFile) })
        let status = (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status == "0")
    }
}
