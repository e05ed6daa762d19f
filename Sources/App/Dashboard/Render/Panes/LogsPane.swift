/// The app's log and every proxy's output, newest at the bottom; PgUp/PgDn scroll; `l` keeps
/// one source's lines.
enum LogsPane {
    static let title = "Logs"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        let scrolled = state.logScroll > 0 ? "  ↑ \(state.logScroll) older  PgDn newer" : "  PgUp older"
        grid.box(rect, title: title + " of \(state.logFilter.title)  l filter" + scrolled + "  " + BottomPane.hint)
        let inner = rect.inner
        let logs = state.logFilter == .all ? state.logs : state.logs.filter(state.logFilter.keeps)
        let end = max(0, logs.count - state.logScroll)
        let start = max(0, end - inner.height)
        for (row, line) in logs[start..<end].enumerated() {
            grid.put(line, x: inner.x, y: inner.y + row, style: .role(role(of: line)), maxWidth: inner.width)
        }
    }

    private static func role(of line: String) -> StyleRole {
        if line.contains(" ERROR ") || line.contains(" CRITICAL ") { return .bad }
        if line.contains(" WARNING ") { return .accent }
        if line.hasPrefix("[v") { return .dim }
        return .normal
    }
}
