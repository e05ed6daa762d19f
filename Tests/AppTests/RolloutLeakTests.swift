import Foundation
import Testing
import TestSupport

/// A retired version leaves nothing behind in `notely`: its output pipes, connections, tasks
/// and threads go with it. Measured on `notely --headless` as a process of its own (this test
/// process runs other tests at once), over 50 rollouts: a leak of one descriptor a rollout
/// would show as 50.
@Suite(.serialized) struct RolloutLeakTests {
    @Test func fiftyRolloutsLeaveNoDescriptorsOrThreadsBehind() async throws {
        let directory = TemporaryDirectory("notely-leak")
        let notely = try await HeadlessProcess(arguments: ["--rollout-wait", "0", "--rpm", "1200"], in: directory)
        let pid = notely.process.processIdentifier

        func rollOut() async throws {
            let deploys = try await notely.request(.GET, "/stats").json["deployment"]["deploys"] as? Int ?? 0
            #expect(try await notely.request(.POST, "/deploy").status == 202)
            #expect(await eventually(timeout: .seconds(30)) {
                let deployment = (try? await notely.request(.GET, "/stats"))?.json["deployment"]
                return deployment["status"] as? String == "READY" && (deployment["deploys"] as? Int ?? 0) > deploys
                    && deployment["previous"] is NSNull
            }, "rollout \(deploys + 1) did not finish: \(notely.log.suffix(1500))")
        }
        func count(_ folder: String) -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/\(folder)").count) ?? -1
        }

        for _ in 0..<3 { try await rollOut() }   // pools and event loops reach their working size
        let (descriptors, threads) = (count("fd"), count("task"))
        for _ in 0..<50 { try await rollOut() }
        // A little slack for what the load has open at the moment of counting (connections,
        // a retiring proxy's last pipe): a leak of one a rollout would be 50.
        #expect(await eventually { count("fd") <= descriptors + 10 }, "descriptors \(descriptors) → \(count("fd"))")
        #expect(await eventually { count("task") <= threads + 8 }, "threads \(threads) → \(count("task"))")

        let load = try await notely.request(.GET, "/stats").json["load"]
        #expect(load["failures"] as? Int == 0 && load["consistencyMisses"] as? Int == 0, "\(String(describing: load))")
        kill(pid, SIGTERM)
        #expect(await notely.waitForExit() == 0)
    }
}
