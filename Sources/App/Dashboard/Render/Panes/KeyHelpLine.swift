/// The bottom line: the keys, from `Keymap` — as many as fit whole, the most useful first;
/// `?` always shows them all.
enum KeyHelpLine {
    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        var x = rect.x + 1
        for (key, action) in Keymap.lineEntries(width: rect.width - 1, measure: grid.measure) {
            x += grid.put(key, x: x, y: rect.y, style: .role(.accent, bold: true), maxWidth: rect.x + rect.width - x)
            x += grid.put(" \(action)  ", x: x, y: rect.y, style: .role(.dim), maxWidth: rect.x + rect.width - x)
        }
    }

    /// One entry as drawn: `d deploy` and the gap after it.
    static func text(_ entry: (key: String, word: String)) -> String { "\(entry.key) \(entry.word)  " }
}
