/// One line of styled text: spans drawn left to right.
typealias StyledLine = [(String, StyleRole)]

extension Grid {
    /// Draws lines one under another inside a rectangle, dropping what does not fit.
    mutating func putLines(_ lines: [StyledLine], in rect: Rect) {
        for (row, spans) in lines.prefix(rect.height).enumerated() {
            var x = rect.x
            for (text, role) in spans {
                x += put(text, x: x, y: rect.y + row, style: .role(role), maxWidth: rect.x + rect.width - x)
            }
        }
    }
}
