/// `?`: every key with what it does, over the panes; any key closes it.
enum HelpOverlay {
    static func draw(in screen: Rect, on grid: inout Grid) {
        // As wide as the longest entry needs (key column, text, borders), as far as the screen allows.
        let needed = (Keymap.helpRows.map { grid.measure.of($0.help) }.max() ?? 40) + 17
        let width = min(screen.width - 4, max(64, needed))
        let height = min(screen.height - 2, Keymap.helpRows.count + 4)
        let rect = Rect(x: (screen.width - width) / 2, y: (screen.height - height) / 2, width: width, height: height)
        grid.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        grid.box(rect, title: "Keys  (any key closes)", focused: true)
        for (row, (key, action)) in Keymap.helpRows.enumerated() where row < rect.inner.height - 1 {
            let y = rect.inner.y + 1 + row
            grid.put(grid.measure.pad(key, to: 12), x: rect.inner.x + 1, y: y, style: .role(.accent, bold: true))
            grid.put(action, x: rect.inner.x + 13, y: y, maxWidth: rect.inner.width - 14)
        }
    }
}
