extension Grid {
    /// Draws a bordered box with a title in its top edge.
    mutating func box(_ rect: Rect, title: String, focused: Bool = false) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let border = CellStyle.role(focused ? .accent : .border)
        let right = rect.x + rect.width - 1
        let bottom = rect.y + rect.height - 1
        put("┌" + String(repeating: "─", count: rect.width - 2) + "┐", x: rect.x, y: rect.y, style: border)
        for row in (rect.y + 1)..<bottom {
            put("│", x: rect.x, y: row, style: border)
            put("│", x: right, y: row, style: border)
        }
        put("└" + String(repeating: "─", count: rect.width - 2) + "┘", x: rect.x, y: bottom, style: border)
        put(" \(title) ", x: rect.x + 2, y: rect.y, style: .role(.title, bold: true), maxWidth: rect.width - 4)
    }
}
