/// A rectangle of the screen, in columns and rows.
struct Rect: Equatable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    /// The inside of a bordered box.
    var inner: Rect { Rect(x: x + 1, y: y + 1, width: max(0, width - 2), height: max(0, height - 2)) }
}

/// Where each pane goes for a terminal size. At 80×24 every pane fits with less detail; the
/// panes grow with the terminal; below the minimum nothing but a notice is drawn.
struct Layout: Equatable, Sendable {
    static let minimumWidth = 80
    static let minimumHeight = 24

    var header: Rect
    var deployments: Rect
    var shards: Rect
    var notes: Rect
    var logs: Rect
    var keyHelp: Rect

    /// nil when the terminal is smaller than the minimum.
    init?(width: Int, height: Int, shardCount: Int) {
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else { return nil }
        header = Rect(x: 0, y: 0, width: width, height: 1)
        keyHelp = Rect(x: 0, y: height - 1, width: width, height: 1)
        let available = height - 2
        // The top band holds Deployments over Shards (left) and Notes (right); Logs get the rest.
        let deploymentsHeight = height >= 40 ? 10 : 7
        let shardsHeight = min(max(4, shardCount + 6), height >= 40 ? 12 : 6)   // header, a row each, three lines of moves
        let topHeight = max(deploymentsHeight + shardsHeight, Int(Double(available) * 0.62))
        let leftWidth = width / 2
        deployments = Rect(x: 0, y: 1, width: leftWidth, height: deploymentsHeight)
        shards = Rect(x: 0, y: 1 + deploymentsHeight, width: leftWidth, height: topHeight - deploymentsHeight)
        notes = Rect(x: leftWidth, y: 1, width: width - leftWidth, height: topHeight)
        logs = Rect(x: 0, y: 1 + topHeight, width: width, height: available - topHeight)
    }
}
