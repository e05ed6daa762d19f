/// `render(state, size) → grid`: the whole screen from one state, with no terminal involved.
enum DashboardRenderer {
    static func render(_ state: DashboardState, width: Int, height: Int, environment: RenderEnvironment) -> Grid {
        var grid = Grid(width: width, height: height, environment: environment)
        guard let layout = Layout(width: width, height: height, shardCount: state.service?.placement.placement.liveShards.count ?? 2) else {
            let notice = "Notely needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight); this terminal is \(width)×\(height)."
            grid.put(notice, x: 0, y: max(0, height / 2), style: .role(.bad, bold: true), maxWidth: width)
            return grid
        }
        HeaderView.draw(state, in: layout.header, on: &grid)
        DeploymentsPane.draw(state, in: layout.deployments, on: &grid)
        ShardsPane.draw(state, in: layout.shards, on: &grid)
        NotesPane.draw(state, in: layout.notes, on: &grid)
        BottomPane.draw(state, in: layout.logs, on: &grid)
        KeyHelpLine.draw(state, in: layout.keyHelp, on: &grid)
        if state.showHelp { HelpOverlay.draw(in: Rect(x: 0, y: 0, width: width, height: height), on: &grid) }
        return grid
    }
}
