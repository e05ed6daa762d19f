/// One line of styled text: spans drawn left to right.
typealias StyledLine = [(String, StyleRole)]

extension Grid {
    /// Draws lines one under another inside a rectangle, dropping what does not fit: the
    /// lines past its height, and on a line, everything after the first span that had to be cut.
    mutating func putLines(_ lines: [StyledLine], in rect: Rect) {
        for (row, spans) in lines.prefix(rect.height).enumerated() {
            var x = rect.x
            for (text, role) in spans {
                let used = put(text, x: x, y: rect.y + row, style: .role(role), maxWidth: rect.x + rect.width - x)
                x += used
                if used < measure.of(text) { break }
            }
        }
    }
}
