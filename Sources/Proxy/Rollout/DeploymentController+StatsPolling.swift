import Foundation

/// Stats polling: each running proxy's `ExportShardStats`, merged into the main process's
/// collector, so the Shards pane and `/stats` see every process there has been.
extension DeploymentController {
    /// How often shard stats are pulled from the proxies.
    public static let statsInterval: Duration = .seconds(2)

    /// Pulls `ExportShardStats` from every running version every `statsInterval`, until
    /// `shutdown()`.
    public func startStatsPolling() {
        inBackground {
            while !Task.isCancelled {
                for proxy in self.record.withLock({ $0.rollout.running }) { await self.exportStats(of: proxy) }
                try? await Task.sleep(for: Self.statsInterval)
            }
        }
    }

    func exportStats(of proxy: ServingProxy) async {
        guard proxy.process.isRunning, let export = try? await proxy.process.healthClient.exportShardStats(timeout: .seconds(1)) else { return }
        stats.recordShardExport(export, from: proxy.statsSource)
    }
}
