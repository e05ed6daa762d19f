import Foundation
import Synchronization
import Testing
@testable import Telemetry

@Suite struct RateCounterTests {
    @Test func countsTotalAndRateOverTheWindow() {
        var counter = RateCounter(windowSeconds: 5)
        for second in 100..<105 {
            for _ in 0..<10 { counter.record(at: Double(second) + 0.5) }
        }
        #expect(counter.total == 50)
        #expect(counter.rate(at: 105.2) == 10)
        // The unfinished current second does not count yet.
        counter.record(30, at: 105.3)
        #expect(counter.rate(at: 105.9) == 10)
        #expect(counter.rate(at: 106.0) == (40 + 30) / 5)
    }

    @Test func rateDecaysToZeroWhenIdleButTotalStays() {
        var counter = RateCounter(windowSeconds: 5)
        counter.record(100, at: 10)
        #expect(counter.rate(at: 11) == 20)
        #expect(counter.rate(at: 15.9) == 20)
        #expect(counter.rate(at: 16.1) == 0)
        #expect(counter.rate(at: 1000) == 0)
        #expect(counter.stats(at: 1000) == RequestStats(totalRequests: 100, requestsPerSec: 0))
    }

    @Test func oldBucketsAreReusedNotSummed() {
        var counter = RateCounter(windowSeconds: 2)
        counter.record(7, at: 1)
        counter.record(3, at: 4)   // the same slot as second 1 (three slots for a 2 s window)
        #expect(counter.rate(at: 5) == 1.5)
        #expect(counter.total == 10)
    }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let now = Mutex(1000.0)
    func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    var source: TimeSource { { [self] in now.withLock { $0 } } }
}

@Suite struct StatsCollectorTests {
    @Test func countsDataStoreAccessPerShardAndOperation() throws {
        let clock = ManualClock()
        let stats = StatsCollector(clock: clock.source)
        stats.registerShards(["shard-0", "shard-1"])
        for _ in 0..<10 { stats.recordDataStoreAccess(.read, shard: "shard-0") }
        stats.recordDataStoreAccess(.create, shard: "shard-1")
        clock.advance(1)
        let snapshot = stats.collectDataStoreStats()
        #expect(snapshot.noteReadRequests["shard-0"] == RequestStats(totalRequests: 10, requestsPerSec: 2))
        #expect(snapshot.noteCreateRequests["shard-1"]?.totalRequests == 1)
        #expect(snapshot.noteDeleteRequests["shard-1"] == RequestStats())
        #expect(snapshot.noteListRequests.keys.sorted() == ["shard-0", "shard-1"])
        #expect(snapshot.total(for: "shard-0").totalRequests == 10)
    }

    @Test func jsonUsesTheContractKeys() throws {
        let stats = StatsCollector(clock: ManualClock().source)
        stats.recordDataStoreAccess(.list, shard: "shard-0")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(stats.collectDataStoreStats())) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["noteListRequests", "noteReadRequests", "noteCreateRequests",
                                                      "noteUpdateRequests", "noteDeleteRequests"])
        let list = json?["noteListRequests"] as? [String: [String: Any]]
        #expect(list?["shard-0"]?["totalRequests"] as? Int == 1)
        #expect(list?["shard-0"]?["requestsPerSec"] != nil)
    }

    @Test func safeFromManyTasks() async {
        let stats = StatsCollector(clock: ManualClock().source)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<1000 { stats.recordDataStoreAccess(.update, shard: "shard-\(task % 2)") }
                }
            }
        }
        let snapshot = stats.collectDataStoreStats()
        #expect(snapshot.noteUpdateRequests["shard-0"]?.totalRequests == 4000)
        #expect(snapshot.noteUpdateRequests["shard-1"]?.totalRequests == 4000)
    }
}

@Suite struct ShardExportMergerTests {
    func export(_ reads: Int, rate: Double = 1) -> DataStoreStats {
        DataStoreStats(noteReadRequests: ["shard-0": RequestStats(totalRequests: reads, requestsPerSec: rate)])
    }

    @Test func theSameExportTwiceCountsOnce() {
        var merger = ShardExportMerger()
        merger.record(export(10), from: "v1/100")
        merger.record(export(10), from: "v1/100")
        #expect(merger.merged.noteReadRequests["shard-0"]?.totalRequests == 10)
    }

    @Test func sourcesAddUpAndTotalsNeverGoBackwards() {
        var merger = ShardExportMerger()
        merger.record(export(10), from: "v1/100")
        merger.record(export(4), from: "v2/200")
        #expect(merger.merged.noteReadRequests["shard-0"] == RequestStats(totalRequests: 14, requestsPerSec: 2))
        merger.record(export(7), from: "v1/100")   // an out-of-order, older export
        #expect(merger.merged.noteReadRequests["shard-0"]?.totalRequests == 14)
        merger.retire("v1/100")
        merger.record(export(99), from: "v1/100")   // ignored after retirement
        #expect(merger.merged.noteReadRequests["shard-0"] == RequestStats(totalRequests: 14, requestsPerSec: 1))
        merger.record(export(6, rate: 3), from: "v2/200")
        #expect(merger.merged.noteReadRequests["shard-0"] == RequestStats(totalRequests: 16, requestsPerSec: 3))
    }
}
