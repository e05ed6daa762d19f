import Foundation
import Store
import Telemetry

/// Per shard: its engine (`s2 pg`), its accounts and notes (where the data lives) beside the data-store access
/// (total and rate, and per operation where space allows); under them, what moves.
enum ShardsPane {
    static let title = "Shards"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        grid.box(rect, title: title + "  " + Keymap.titleHint(for: .shards))
        let inner = rect.inner
        guard let service = state.service else { return }
        let shards = service.shards
        let view = service.placement
        let names = ShardRouter(shardCount: view.placement.shardCount).shardNames
        let measure = grid.measure
        let perOperation = inner.width >= 40 + 7 * DataStoreOperation.allCases.count
        var lines: [StyledLine] = []

        var header = measure.pad("shard", to: 11) + measure.padLeft("accts", to: 6) + measure.padLeft("notes", to: 8)
            + measure.padLeft("reqs", to: 9) + measure.padLeft("req/s", to: 8)
        if perOperation {
            for operation in DataStoreOperation.allCases { header += measure.padLeft(operation.rawValue, to: 7) }
        }
        lines.append([(header, .label)])
        for (index, name) in names.enumerated() {
            let total = shards.total(for: name)
            let accounts = view.accountsPerShard.indices.contains(index) ? view.accountsPerShard[index] : 0
            let notes = view.placement.notesPerShard.indices.contains(index) ? view.placement.notesPerShard[index] : 0
            var row = measure.padLeft(Format.count(accounts), to: 6) + measure.padLeft(Format.count(notes), to: 8)
                + measure.padLeft(Format.count(total.totalRequests), to: 9) + measure.padLeft(Format.rate(total.requestsPerSec), to: 8)
            if perOperation {
                for operation in DataStoreOperation.allCases {
                    row += measure.padLeft(Format.count(shards[operation][name]?.totalRequests ?? 0), to: 7)
                }
            }
            let engine = view.placement.engines.indices.contains(index) ? view.placement.engines[index] : .sqlite
            lines.append([(measure.pad("s\(index) \(engine.shortName)", to: 11), .accent), (row, .normal)])
        }
        let accountNames = Dictionary(state.notes.accounts.map { ($0.account.id, $0.account.name) }) { first, _ in first }
        lines += movesLines(view.placement, names: accountNames).map { [($0, .progress)] }
        grid.putLines(lines, in: inner)
    }

    /// `growing 2 → 4: 3 accounts left` and `moving Ada 1 → 3 40%`: what moves, a line each
    /// (an account the Notes pane has not listed yet shows the start of its id).
    static func movesLines(_ placement: PlacementSnapshot, names: [UUID: String]) -> [String] {
        var lines: [String] = []
        if let growth = placement.growth {
            lines.append("growing \(growth.from) → \(growth.to): \(growth.accountsLeft) account\(growth.accountsLeft == 1 ? "" : "s") left")
        }
        if let move = placement.moves.first {
            let name = names[move.accountId].map(Format.preview) ?? "\(move.accountId.uuidText.prefix(4))…"
            lines.append("moving \(name) \(move.from) → \(move.to) \(Format.progress(move))")
        }
        return lines
    }
}
