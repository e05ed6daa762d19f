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

    @Test func killingTheParentWithSigkillLeavesNoProxy() async throws {
        let directory = TemporaryDirectory("notely-kill")
        let notely = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        let proxyPid = try await notely.currentProxyPid()
        #expect(processIsAlive(proxyPid))
        kill(notely.process.processIdentifier, SIGKILL)
        #expect(await notely.waitForExit() == SIGKILL)
        #expect(await eventually(timeout: .seconds(10)) { !processIsAlive(proxyPid) }, "proxy \(proxyPid) outlived its parent")
    }

    @Test func aBusyPortIsAClearError() async throws {
        let directory = TemporaryDirectory("notely-port")
        let first = try await HeadlessProcess(arguments: ["--no-load"], in: directory)
        let (status, output) = try runProcess(try notelyExecutable(),
                                              ["--headless", "--no-load", "--port", String(first.port), "--data-dir", "other"],
                                              currentDirectory: directory.url)
        #expect(status == 1)
        #expect(output.contains("port \(first.port) is in use"), "\(output)")
        kill(first.process.processIdentifier, SIGTERM)
        #expect(await first.waitForExit() == 0)
    }
}
