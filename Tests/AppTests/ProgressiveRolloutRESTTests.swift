import Foundation
import NIOHTTP1
import Testing
import TestSupport
@testable import App
@testable import Proxy

/// A progressive rollout through the REST API, as a presenter drives it: `/deploy` with steps,
/// a bad version on purpose with `/chaos`, `Notely-Version` on every answer, the verdicts in
/// `/stats` — and independent clients that see no failed request.
@Suite(.serialized) struct ProgressiveRolloutRESTTests {
    /// The version each answer names.
    private func versions(of running: RunningService, _ path: String, times: Int) async throws -> Set<String> {
        var seen: Set<String> = []
        for _ in 0..<times {
            let (answer, headers) = try await httpRequest(.GET, running.baseURL + path, body: nil, headers: [])
            #expect(answer.status == 200)
            seen.insert(try require(headers.first { $0.0.lowercased() == "notely-version" }?.1, "Notely-Version"))
        }
        return seen
    }

    @Test func aFailingVersionIsRolledBackWhileClientsSeeNoFailure() async throws {
        // A step of a minute: however busy the machine, the fault comes during it, and the
        // errors end it early.
        let running = try await RunningService(rolloutWait: .seconds(60))
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Ro"}"#).json["id"] as? String)
        let note = try require(try await running.request(.POST, "/accounts/\(account)/notes", body: #"{"content":"hi"}"#).json["id"] as? String)
        let notePath = "/accounts/\(account)/notes/\(note)"
        #expect(try await versions(of: running, notePath, times: 3) == ["1"])
        #expect(try await versions(of: running, "/stats", times: 1) == ["1"], "an answer that reached no proxy names the serving one")

        for bad in [#"{"steps":[0]}"#, #"{"steps":[50,20]}"#, #"{"steps":"10"}"#, #"{"steps":[]}"#] {
            let refused = try await running.request(.POST, "/deploy", body: bad)
            #expect(refused.status == 400, "\(bad): \(refused.text)")
            #expect((refused.json["error"] as? String)?.contains("steps") == true, "\(refused.text)")
        }
        let outside = try await running.request(.POST, "/chaos", body: #"{"fault":"slow"}"#)
        #expect(outside.status == 409 && outside.text.contains("no new version is rolling out"), "\(outside.text)")
        let unknown = try await running.request(.POST, "/chaos", body: #"{"fault":"bogus"}"#)
        #expect(unknown.status == 400 && unknown.text.contains("wrong"), "\(unknown.text)")

        let load = RESTLoad(baseURL: running.baseURL, clients: 6)
        let deploy = try await running.request(.POST, "/deploy", body: #"{"steps":[50]}"#)
        #expect(deploy.status == 202 && deploy.json["targetVersion"] as? Int == 2)
        #expect(await eventually(timeout: .seconds(30)) {
            let stats = try? await running.request(.GET, "/stats")
            return stats?.json["deployment"]["rollout"]["step"] as? Int == 0 && stats?.json["deployment"]["current"]["id"] as? Int == 2
        })
        let during = try await running.request(.GET, "/stats").json["deployment"]
        #expect(during["current"]["share"] as? Int == 50 && during["previous"]["share"] as? Int == 50)
        #expect(during["rollout"]["steps"] as? [Int] == [50, 100])
        #expect(during["current"]["window"]["calls"] is Int && during["current"]["window"]["errorRate"] != nil)
        #expect(try await versions(of: running, notePath, times: 40) == ["1", "2"], "both versions answer during the step")

        let chaos = try await running.request(.POST, "/chaos", body: #"{"fault":"errors"}"#)
        #expect(chaos.status == 202 && (chaos.json["message"] as? String)?.contains("v2") == true, "\(chaos.text)")
        #expect(await eventually(timeout: .seconds(90)) {
            (try? await running.request(.GET, "/stats"))?.json["deployment"]["rollout"]["rolledBack"] as? Bool == true
        })
        #expect(await eventually(timeout: .seconds(30)) {
            (try? await running.request(.GET, "/stats"))?.json["deployment"]["status"] as? String == "READY"
        })
        let after = try await running.request(.GET, "/stats").json["deployment"]
        #expect(after["current"]["id"] as? Int == 1 && after["previous"] is NSNull)
        #expect((after["lastError"] as? String)?.contains("errors check") == true, "\(after["lastError"] ?? "nil")")
        let verdicts = try require(after["rollout"]["verdicts"] as? [[String: Any]])
        #expect(verdicts.count == 1 && verdicts[0]["passed"] as? Bool == false && verdicts[0]["failedCheck"] as? String == "errors")
        #expect(try await versions(of: running, notePath, times: 5) == ["1"])
        let metrics = try await running.request(.GET, "/metrics").text
        #expect(metrics.contains("notely_rollbacks_total 1") && metrics.contains("notely_rollouts_total 2"), "\(metrics.prefix(3000))")
        #expect(!metrics.contains(#"version="2""#), "a retired version's series end")
        let tries = try await running.request(.GET, "/stats").json["proxyTries"]
        #expect(((tries["failures"]["2"] as? [String: Int])?.values.reduce(0, +) ?? 0) > 0, "v2's refusals, counted")
        let retries = (tries["retries"] as? [String: Int])?.values.reduce(0, +) ?? 0
        #expect(retries > 0, "and the calls sent again")
        #expect(metrics.contains(#"notely_proxy_call_retries_total{operation="#), "in /metrics too")

        await load.stop()
        #expect(load.successes > 100)
        #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
        #expect(load.mismatches.isEmpty, "\(load.mismatches.prefix(3))")
        try await running.stop()
    }

    /// `--rollout-steps` and the thresholds reach every deploy.
    @Test func theConfiguredStepsAreEveryDeploysSteps() async throws {
        let running = try await RunningService(rolloutWait: .seconds(1), configure: { options in
            options.rolloutPlan = try? RolloutPlan(steps: [20])
        })
        #expect(try await running.request(.POST, "/deploy").status == 202)
        #expect(await eventually(timeout: .seconds(30)) {
            (try? await running.request(.GET, "/stats"))?.json["deployment"]["rollout"]["promoted"] as? Bool == true
        })
        let rollout = try await running.request(.GET, "/stats").json["deployment"]["rollout"]
        #expect(rollout["steps"] as? [Int] == [20, 100])
        try await running.stop()
    }
}
