import Telemetry

/// The REST API's figures (what `/stats` has under `api`): per method, route and status, the
/// count, the rate and the p95 latency — errors in red. Busiest first.
enum APIPane {
    static let title = "API"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        grid.box(rect, title: title + "  " + BottomPane.hint)
        let inner = rect.inner
        guard let routes = state.service?.api else { return }
        let measure = grid.measure
        let routeWidth = max(12, min(36, inner.width - 44))
        let header = measure.pad("method", to: 8) + measure.pad("route", to: routeWidth) + measure.padLeft("status", to: 7)
            + measure.padLeft("count", to: 9) + measure.padLeft("req/s", to: 9) + measure.padLeft("p95 ms", to: 9)
        var lines: [StyledLine] = [[(header, .label)]]
        if routes.isEmpty { lines.append([("no requests yet", .dim)]) }
        for route in routes.sorted(by: { ($0.count, $1.route) > ($1.count, $0.route) }) {
            let row = measure.pad(route.method, to: 8) + measure.pad(route.route, to: routeWidth) + measure.padLeft(String(route.status), to: 7)
                + measure.padLeft(Format.count(route.count), to: 9) + measure.padLeft(Format.rate(route.requestsPerSec), to: 9)
                + measure.padLeft(Format.milliseconds(route.p95Ms), to: 9)
            lines.append([(row, route.status >= 400 ? .bad : .normal)])
        }
        grid.putLines(lines, in: inner)
    }
}
