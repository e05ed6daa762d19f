import Foundation
import Store
import Telemetry

/// Per shard in use: its engine and state (`s2 pg`, `s0 sqlite drain`), its accounts and notes (where the
/// data lives) beside the data-store access (total and rate, and per operation where space allows); under
/// them, what moves: a change of the shard set with its pace and time left, and the move in progress.
enum ShardsPane {
    static let title = "Shards"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        grid.box(rect, title: title + "  " + Keymap.titleHint(for: .shards))
        let inner = rect.inner
        guard let service = state.service else { return }
        let shards = service.shards
        let view = service.placement
        let shown = view.placement.liveShards
        let measure = grid.measure
        let perOperation = inner.width >= 40 + 7 * DataStoreOperation.allCases.count
        var lines: [StyledLine] = []

        var header = measure.pad("shard", to: Self.nameWidth) + measure.padLeft("accts", to: 6) + measure.padLeft("notes", to: 8)
            + measure.padLeft("reqs", to: 9) + measure.padLeft("req/s", to: 8)
        if perOperation {
            for operation in DataStoreOperation.allCases { header += measure.padLeft(operation.rawValue, to: 7) }
        }
        lines.append([(header, .label)])
        for index in shown {
            let name = ShardRouter.shardName(index)
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
            lines.append([(measure.pad(label(index, view.placement), to: Self.nameWidth), .accent), (row, .normal)])
        }
        let accountNames = Dictionary(state.notes.accounts.map { ($0.account.id, $0.account.name) }) { first, _ in first }
        lines += movesLines(view, names: accountNames).map { [($0, .progress)] }
        grid.putLines(lines, in: inner)
    }

    static let nameWidth = 16

    /// `s2 pg`, and the state when it is not plain active: `s0 sqlite drain`, `s3 pg new`.
    static func label(_ index: Int, _ placement: PlacementSnapshot) -> String {
        let base = "s\(index) \(placement.engine(of: index).shortName)"
        switch placement.state(of: index) {
        case .active, .retired: return base
        case .draining: return base + " drain"
        case .new: return base + " new"
        }
    }

    /// `migrating sqlite → pg: 12 accts, 3400 notes left` with `  5200 notes/s, 00:01 left` under
    /// it (or `growing 2 → 3: …`, `draining 3 → 2: …`), and `moving Ada 1 → 3 40%`: what moves
    /// (an account the Notes pane has not listed yet shows the start of its id).
    static func movesLines(_ view: PlacementView, names: [UUID: String]) -> [String] {
        let placement = view.placement
        var lines: [String] = []
        if let change = placement.change {
            let what = switch change.kind {
            case .migrate: "migrating \(change.sourceEngine?.shortName ?? "?") → \(change.engine?.shortName ?? "?")"
            case .grow: "growing \(change.from) → \(change.to)"
            case .drain: "draining \(change.from) → \(change.to)"
            }
            if change.accountsLeft == 0 {
                lines.append("\(what): retiring the drained shards")
            } else {
                lines.append("\(what): \(change.accountsLeft) acct\(change.accountsLeft == 1 ? "" : "s"), \(Format.count(change.notesLeft)) notes left")
                var pace: [String] = []
                if let rate = view.progress?.notesPerSecond { pace.append("\(Format.count(Int(rate.rounded()))) notes/s") }
                if let eta = view.progress?.etaSeconds, change.notesLeft > 0 { pace.append("\(Format.duration(seconds: Int(eta.rounded(.up)))) left") }
                if !pace.isEmpty { lines.append("  " + pace.joined(separator: ", ")) }
            }
        }
        if let move = placement.moves.first {
            let name = names[move.accountId].map(Format.preview) ?? "\(move.accountId.uuidText.prefix(4))…"
            lines.append("moving \(name) \(move.from) → \(move.to) \(Format.progress(move))")
        }
        let retired = placement.states.indices.filter { placement.states[$0] == .retired }
        if !retired.isEmpty, placement.change != nil || retired.count <= 4 {
            lines.append("retired: " + retired.map { "s\($0)" }.joined(separator: " "))
        }
        return lines
    }
}
