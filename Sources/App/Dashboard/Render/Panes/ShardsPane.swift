import Store
import Telemetry

/// Data-store access per shard: total and rate, and per operation where space allows.
enum ShardsPane {
    static let title = "Shards"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        grid.box(rect, title: title)
        let inner = rect.inner
        guard let service = state.service else { return }
        let shards = service.shards
        let names = ShardRouter(shardCount: max(1, service.service.shardCount)).shardNames
        let perOperation = inner.width >= 60
        var lines: [StyledLine] = []

        var header = grid.measure.pad("shard", to: 9) + grid.measure.padLeft("total", to: 9) + grid.measure.padLeft("req/s", to: 8)
        if perOperation {
            for operation in DataStoreOperation.allCases { header += grid.measure.padLeft(operation.rawValue, to: 8) }
        }
        lines.append([(header, .label)])
        for name in names {
            let total = shards.total(for: name)
            var row = grid.measure.padLeft(Format.count(total.totalRequests), to: 9) + grid.measure.padLeft(Format.rate(total.requestsPerSec), to: 8)
            if perOperation {
                for operation in DataStoreOperation.allCases {
                    row += grid.measure.padLeft(Format.count(shards[operation][name]?.totalRequests ?? 0), to: 8)
                }
            }
            lines.append([(grid.measure.pad(name, to: 9), .accent), (row, .normal)])
        }
        grid.putLines(lines, in: inner)
    }
}
