/// Writes styled lines one under another inside a rectangle, dropping what does not fit.
struct Lines {
    var grid: Grid
    let rect: Rect
    private(set) var row = 0

    init(grid: Grid, rect: Rect) {
        self.grid = grid
        self.rect = rect
    }

    mutating func add(_ spans: [(String, StyleRole)]) {
        guard row < rect.height else { return }
        var x = rect.x
        for (text, role) in spans {
            x += grid.put(text, x: x, y: rect.y + row, style: .role(role), maxWidth: rect.x + rect.width - x)
        }
        row += 1
    }
}
