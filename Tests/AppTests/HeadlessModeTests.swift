import Foundation
import Testing
import TestSupport
@testable import Proxy

/// `notely --headless` as a user runs it: a real process, signals, a data dir on disk.
@Suite(.serialized) struct HeadlessModeTests {
    @Test func sigtermStopsEverythingInOrderAndExitsZero() async throws {
        let directory = TemporaryDirectory("notely-headless")
        let notely = try await HeadlessProcess(arguments: ["--rpm", "3000", "--accounts", "2"], in: directory)
        let proxyPid = try await notely.currentProxyPid()
        #expect(await eventually { notely.log.contains("load generator running") })
        kill(notely.process.processIdentifier, SIGTERM)
        #expect(await notely.waitForExit() == 0, "\(notely.log)")
        #expect(!processIsAlive(proxyPid))

        let log = notely.log
        let order = ["load generator stopped", "[v1]", "proxy stopped", "notely stopped"].map { marker in
            log.range(of: marker, options: .backwards)?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil }, "\(log)")
        let positions = order.compactMap { $0 }
        #expect(positions == positions.sorted(), "shutdown out of order:\n\(log)")
    }

    @Test func aRestartFindsTheDataAgainAndCleanWipesIt() async throws {
        let directory = TemporaryDirectory("notely-restart")
        let first = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        let account = try require(try await first.request(.POST, "/accounts", body: #"{"name":"Eve"}"#).json["id"] as? String)
        let note = try require(try await first.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"kept"}"#).json["id"] as? String)
        kill(first.process.processIdentifier, SIGINT)
        #expect(await first.waitForExit() == 0)

        let second = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        #expect(try await second.request(.GET, "/accounts/\(account)").json["name"] as? String == "Eve")
        #expect(try await second.request(.GET, "/accounts/\(account)/notes/\(note)").json["content"] as? String == "kept")
        kill(second.process.processIdentifier, SIGTERM)
        #expect(await second.waitForExit() == 0)

        let cleaned = try await HeadlessProcess(arguments: ["--no-load", "--clean"], in: directory)
        #expect(try await cleaned.request(.GET, "/accounts/\(account)").status == 404)
        kill(cleaned.process.processIdentifier, SIGTERM)
        #expect(await cleaned.waitForExit() == 0)
    }

    /// The proxy's stdout and stderr are pipes into `notely`, as in every real run; once
    /// `notely` is gone, its last log line meets a closed pipe. It must still stop by itself,
    /// cleanly (exit status 0, not a crash), at once: the lifeline is an event (its stdin's
    /// end), so the 10 s bound only tells a hang from a busy machine. This test process becomes the
    /// proxy's new parent (a child subreaper), so it can see how the proxy ended.
    @Test func killingTheParentWithSigkillStopsItsProxyCleanly() async throws {
        #expect(becomeChildSubreaper())
        let directory = TemporaryDirectory("notely-kill")
        let notely = try await HeadlessProcess(arguments: ["--rpm", "3000", "--accounts", "2"], in: directory)
        let proxyPid = try await notely.currentProxyPid()
        #expect(processIsAlive(proxyPid))
        kill(notely.process.processIdentifier, SIGKILL)
        let killedAt = ContinuousClock.now
        #expect(await notely.waitForExit() == SIGKILL)
        let ended = await reap(proxyPid)   // blocks until the orphaned proxy, now ours, has exited
        let took = ContinuousClock.now - killedAt
        #expect(ended.map { $0.exited && $0.status == 0 } == true, "the proxy did not stop cleanly: \(String(describing: ended))")
        #expect(took < .seconds(10), "the proxy took \(took) to stop after its parent died")
    }

    /// Waits for a child of this process (a subreaped orphan) on a thread of its own.
    private func reap(_ pid: Int32) async -> (exited: Bool, status: Int32)? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                var result: Int32
                repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
                guard result == pid else { return continuation.resume(returning: nil) }
                let exited = (status & 0x7f) == 0
                continuation.resume(returning: (exited, exited ? (status >> 8) & 0xff : status & 0x7f))
            }
        }
    }

    @Test func aSecondNotelyOnTheSameDataDirSaysWhoHoldsItAndExits2() async throws {
        let directory = TemporaryDirectory("notely-lock")
        let first = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        let account = try require(try await first.request(.POST, "/accounts", body: #"{"name":"Kept"}"#).json["id"] as? String)
        for extra in [[], ["--clean"]] {
            let (status, output) = try await runProcess(try notelyExecutable(), ["--headless", "--no-load", "--port", "0"] + extra,
                                                  currentDirectory: directory.url)
            #expect(status == 2, "\(extra): \(output)")
            #expect(output.contains("is in use by another notely (pid \(first.process.processIdentifier))"), "\(output)")
            #expect(output.split(separator: "\n").count == 1, "\(output)")
        }
        #expect(try await first.request(.GET, "/accounts/\(account)").status == 200, "--clean of a second copy deleted nothing")
        kill(first.process.processIdentifier, SIGKILL)
        #expect(await first.waitForExit() == SIGKILL)
        let again = try await HeadlessProcess(arguments: ["--no-load"], in: directory)   // a killed holder leaves no stale lock
        #expect(try await again.request(.GET, "/accounts/\(account)").status == 200)
        kill(again.process.processIdentifier, SIGTERM)
        #expect(await again.waitForExit() == 0)
    }

    @Test func aBusyPortIsAClearError() async throws {
        let directory = TemporaryDirectory("notely-port")
        let first = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        let (status, output) = try await runProcess(try notelyExecutable(),
                                              ["--headless", "--no-load", "--port", String(first.port), "--data-dir", "other"],
                                              currentDirectory: directory.url)
        #expect(status == 1)
        #expect(output.contains("port \(first.port) is in use"), "\(output)")
        kill(first.process.processIdentifier, SIGTERM)
        #expect(await first.waitForExit() == 0)
    }

    /// Started by a supervisor that passed its pid and holds stdin open (this test run, say),
    /// `notely --headless` stops in order when the supervisor dies — so a crashed test run
    /// leaves no `notely` behind, and no proxy either.
    @Test func aHeadlessNotelyWhoseParentDiesStopsInOrder() async throws {
        let directory = TemporaryDirectory("notely-orphan")
        let notely = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        let proxy = try await notely.currentProxyPid()
        notely.closeLifeline()
        #expect(await notely.waitForExit(timeout: .seconds(30)) == 0, "\(notely.log.suffix(1500))")
        #expect(notely.log.contains("the parent process is gone"))
        #expect(await eventually { !processIsAlive(proxy) }, "its proxy outlived it")
    }
}
