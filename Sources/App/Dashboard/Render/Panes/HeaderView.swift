/// The top line: what is running, and the load generator's evidence at a glance.
enum HeaderView {
    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        grid.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, style: .role(.title))
        var x = rect.x + grid.put(" Notely ", x: rect.x, y: rect.y, style: .role(.title, bold: true))
        guard let service = state.service else {
            grid.put(" starting…", x: x, y: rect.y, style: .role(.title))
            return
        }
        let load = service.load
        let loadOn = state.loadEnabled ?? load.running
        let totalRate = service.api.reduce(0) { $0 + $1.requestsPerSec }
        let wide = rect.width >= 110
        let parts: [(String, StyleRole)] = [
            (" up \(Format.duration(seconds: service.service.uptimeSeconds))", .title),
            ("  \(wide ? "REST " : "")\(service.service.restAddress ?? "—")", .title),
            ("  load \(loadOn ? "on" : "off")", loadOn ? .title : .warningBanner),
            ("  \(Format.rate(totalRate)) req/s", .title),
            ("  \(wide ? "requests" : "req") \(Format.count(load.requests))", .title),
            ("  \(wide ? "failures" : "fail") \(load.failures)", load.failures == 0 ? .title : .warningBanner),
            ("  \(wide ? "misses" : "miss") \(load.consistencyMisses)", load.consistencyMisses == 0 ? .title : .warningBanner),
        ] + postgresPart(service.placement.postgres)
        for (text, role) in parts {
            x += grid.put(text, x: x, y: rect.y, style: .role(role, bold: role == .warningBanner), maxWidth: rect.x + rect.width - x)
        }
    }

    /// `pg up`, or `pg DOWN` in the warning colour while the server does not answer.
    private static func postgresPart(_ state: PostgresMonitor.State?) -> [(String, StyleRole)] {
        guard let state else { return [] }
        return state.up ? [("  pg up", .title)] : [("  pg DOWN", .warningBanner)]
    }
}
