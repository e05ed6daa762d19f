/// The bottom line: the keys, from `Keymap`. Narrow terminals get the essential ones; `?`
/// always shows them all.
enum KeyHelpLine {
    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        var x = rect.x + 1
        for (key, action) in Keymap.lineEntries(essentialOnly: rect.width < 110) {
            x += grid.put(key, x: x, y: rect.y, style: .role(.accent, bold: true), maxWidth: rect.x + rect.width - x)
            x += grid.put(" \(action)  ", x: x, y: rect.y, style: .role(.dim), maxWidth: rect.x + rect.width - x)
        }
    }
}
