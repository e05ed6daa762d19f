import Foundation
import Testing
import TestSupport
@testable import App
@testable import Proxy

/// `GET /metrics` as a Prometheus server reads it: parsed by the reference client's parser
/// after a rollout and a move, its values moving as the calls did and agreeing with `/stats`.
@Suite struct MetricsTests {
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
        let type: String
    }

    /// The samples of the exposition, read by `prometheus_client`'s parser (a failure to parse fails the test).
    private func scrape(_ running: RunningService) async throws -> [Sample] {
        let (answer, headers) = try await httpRequest(.GET, running.baseURL + "/metrics", body: nil, headers: [])
        #expect(answer.status == 200)
        #expect(headers.first { $0.0.lowercased() == "content-type" }?.1.hasPrefix("text/plain; version=0.0.4") == true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/parse-metrics.py")
        let input = running.directory.url.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try answer.text.write(to: input, atomically: true, encoding: .utf8)
        let (status, output) = try await runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "/usr/bin/python3 '\(script.path)' < '\(input.path)'"])
        try #require(status == 0, "the parser refused /metrics: \(output)\n\(answer.text.prefix(2000))")
        return try JSONDecoder().decode([Sample].self, from: Data(output.utf8))
    }

    private func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }

    @Test func aScrapeAfterARolloutAndAMoveShowsWhatHappened() async throws {
        let running = try await RunningService(rolloutWait: .seconds(1))
        let account = try require(try await running.request(.POST, "/accounts", body: #"{"name":"Prom"}"#).json["id"] as? String)
        let notes = "/accounts/\(account)/notes"
        var noteIds: [String] = []
        for index in 0..<3 {
            noteIds.append(try require(try await running.request(.POST, notes, body: #"{"content":"n\#(index)"}"#).json["id"] as? String))
        }
        let notePath = "/accounts/{id}/notes/{noteId}"
        let before = try await scrape(running)
        let readsBefore = value(before, "notely_http_requests_total", ["method": "GET", "route": notePath, "status": "200"]) ?? 0

        #expect(try await running.request(.POST, "/deploy").status == 202)
        #expect(await eventually(timeout: .seconds(60)) {
            let deployment: Any? = (try? await running.request(.GET, "/stats"))?.json["deployment"]
            return deployment["status"] as? String == "READY" && deployment["current"]["id"] as? Int == 2
        })
        let home = try require(try await running.request(.GET, "/accounts/\(account)").json["shard"] as? Int)
        #expect(try await running.request(.POST, "/accounts/\(account)/move", body: #"{"shard":\#(1 - home)}"#).status == 202)
        #expect(await eventually(timeout: .seconds(60)) {
            (try? await running.request(.GET, "/accounts/\(account)"))?.json["shard"] as? Int == 1 - home
        })
        for id in noteIds.prefix(2) { #expect(try await running.request(.GET, "\(notes)/\(id)").status == 200) }

        let after = try await scrape(running)
        let stats = try await running.request(.GET, "/stats").json
        // The deployment, as /stats says it.
        #expect(value(after, "notely_rollouts_total") == (value(before, "notely_rollouts_total") ?? 0) + 1)
        #expect(value(after, "notely_deployment_current_version") == 2 && value(after, "notely_deployment_previous_version") == 0)
        #expect(value(after, "notely_deployment_status", ["status": "READY"]) == 1)
        #expect(value(after, "notely_deployment_status", ["status": "ROLLOUT_WAIT"]) == 0)
        #expect(value(after, "notely_rollbacks_total") == 0 && value(after, "notely_proxy_crashes_total") == 0)
        // REST requests: the two reads counted, the histogram's count the counter's.
        let reads = ["method": "GET", "route": notePath, "status": "200"]
        #expect(value(after, "notely_http_requests_total", reads) == readsBefore + 2)
        #expect(value(after, "notely_http_request_duration_seconds_count", reads) == value(after, "notely_http_requests_total", reads))
        let apiRow = (stats["api"] as? [[String: Any]])?.first { $0["route"] as? String == notePath && $0["method"] as? String == "GET" }
        #expect(apiRow?["count"] as? Int == Int(value(after, "notely_http_requests_total", reads) ?? -1), "one counter, two views")
        // Proxy calls by version and operation, and their latency.
        #expect((value(after, "notely_proxy_calls_total", ["version": "2", "operation": "GetNote"]) ?? 0) >= 2)
        #expect((value(after, "notely_proxy_call_duration_seconds_count", ["version": "2", "operation": "GetNote"]) ?? 0) >= 2)
        // Store access per shard, and where the notes are now.
        #expect((value(after, "notely_store_accesses_total", ["operation": "CreateNote"]) ?? 0) >= 3)
        #expect(value(after, "notely_shard_notes", ["shard": "shard-\(1 - home)"]) == 3)
        #expect(value(after, "notely_shard_notes", ["shard": "shard-\(home)"]) == 0)
        #expect(value(after, "notely_shard_accounts", ["shard": "shard-\(1 - home)"]) == 1)
        #expect(value(after, "notely_placement_moves") == 0 && value(after, "notely_placement_notes_left") == 0)
        #expect(value(after, "notely_load_requests_total") == 0, "no load generator in this test")
        // Types and names by the conventions; no account or note id as a label.
        for sample in after {
            #expect(sample.name.hasPrefix("notely_"), "\(sample.name)")
            if sample.type == "counter" { #expect(sample.name.hasSuffix("_total"), "\(sample.name)") }
            if sample.type == "histogram" { #expect(sample.name.contains("_seconds"), "\(sample.name)") }
            for id in [account] + noteIds { #expect(!sample.labels.values.contains { $0.lowercased().contains(id.lowercased()) }) }
        }
        try await running.stop()
    }
}
