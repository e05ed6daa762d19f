/// The bottom line: the keys. Narrow terminals get a shorter list; `?` always shows them all.
enum KeyHelpLine {
    static let keys: [(key: String, action: String)] = [
        ("↑↓", "move"), ("←→/Tab", "switch"), ("a", "account"), ("n", "note"), ("e", "edit"), ("x", "delete"),
        ("d", "deploy"), ("g", "load"), ("PgUp/PgDn", "logs"), ("?", "help"), ("q", "quit"),
    ]
    static let shortKeys: [(key: String, action: String)] = [
        ("d", "deploy"), ("g", "load"), ("a/n", "new"), ("e", "edit"), ("x", "delete"), ("↑↓←→", "move"),
        ("?", "all keys"), ("q", "quit"),
    ]

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        var x = rect.x + 1
        for (key, action) in rect.width >= 110 ? keys : shortKeys {
            x += grid.put(key, x: x, y: rect.y, style: .role(.accent, bold: true), maxWidth: rect.x + rect.width - x)
            x += grid.put(" \(action)  ", x: x, y: rect.y, style: .role(.dim), maxWidth: rect.x + rect.width - x)
        }
    }
}
