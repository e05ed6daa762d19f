/// What a key does while the dashboard is browsing (editing and the y/n question read keys
/// of their own).
enum DashboardCommand: Sendable, Equatable {
    case quit, deploy, toggleLoad, showHelp
    case moveUp, moveDown, switchFocus
    case newAccount, newNote, edit, delete
    case scrollLogsBack, scrollLogsForward
}

/// One binding: the keys, the command, and how help shows it. Declared once in `Keymap`, the
/// table that drives `DashboardUpdate`, the help overlay, the help line and the pane titles
/// (after bubbles' `key.Binding` with its help text).
struct KeyBinding: Sendable {
    enum Pane: Sendable { case deployments, notes }

    let keys: [KeyEvent]
    let command: DashboardCommand
    /// The keys as the help overlay lists them (`↑ ↓  j k`).
    let label: String
    /// What the overlay says it does.
    let help: String
    /// The keys and the word on the bottom help line; nil leaves it off the line.
    let line: (key: String, word: String)?
    /// Shown on the help line of a narrow terminal too.
    let essential: Bool
    /// Hinted in this pane's title.
    let pane: Pane?

    init(_ keys: [KeyEvent], _ command: DashboardCommand, label: String, help: String,
         line: (key: String, word: String)? = nil, essential: Bool = false, pane: Pane? = nil) {
        self.keys = keys
        self.command = command
        self.label = label
        self.help = help
        self.line = line
        self.essential = essential
        self.pane = pane
    }
}

enum Keymap {
    static let bindings: [KeyBinding] = [
        KeyBinding([.up, .character("k")], .moveUp, label: "↑ ↓  j k", help: "move the selection", line: ("↑↓", "move")),
        KeyBinding([.down, .character("j")], .moveDown, label: "", help: ""),
        KeyBinding([.left, .right, .tab, .backTab], .switchFocus, label: "← →  Tab", help: "switch between accounts and notes",
                   line: ("←→/Tab", "switch")),
        KeyBinding([.character("a")], .newAccount, label: "a", help: "new account", line: ("a", "account"), essential: true, pane: .notes),
        KeyBinding([.character("n")], .newNote, label: "n", help: "new note for the selected account", line: ("n", "note"),
                   essential: true, pane: .notes),
        KeyBinding([.character("e"), .enter], .edit, label: "e  Enter", help: "edit the selected note (Enter saves, Esc cancels)",
                   line: ("e", "edit"), essential: true, pane: .notes),
        KeyBinding([.character("x")], .delete, label: "x", help: "delete the selected note (asks y/n)", line: ("x", "delete"),
                   essential: true, pane: .notes),
        KeyBinding([.character("d")], .deploy, label: "d", help: "deploy the next proxy version", line: ("d", "deploy"),
                   essential: true, pane: .deployments),
        KeyBinding([.character("g")], .toggleLoad, label: "g", help: "load generator on/off", line: ("g", "load"), essential: true),
        KeyBinding([.pageUp], .scrollLogsBack, label: "PgUp PgDn", help: "scroll the logs", line: ("PgUp/PgDn", "logs")),
        KeyBinding([.pageDown], .scrollLogsForward, label: "", help: ""),
        KeyBinding([.character("?")], .showHelp, label: "?", help: "this list of keys", line: ("?", "help"), essential: true),
        KeyBinding([.character("q"), .interrupt], .quit, label: "q  Ctrl-C", help: "quit (stops everything in order)",
                   line: ("q", "quit"), essential: true),
    ]

    static func command(for key: KeyEvent) -> DashboardCommand? {
        bindings.first { $0.keys.contains(key) }?.command
    }

    /// The overlay's rows: bindings that share a row with the one before (`j`/`k`) have no label.
    static var helpRows: [(keys: String, help: String)] {
        bindings.filter { !$0.label.isEmpty }.map { ($0.label, $0.help) }
    }

    /// The bottom line's entries: all, or only the essential ones on a narrow terminal.
    static func lineEntries(essentialOnly: Bool) -> [(key: String, word: String)] {
        bindings.filter { !essentialOnly || $0.essential }.compactMap(\.line)
    }

    /// `d deploy`, `a account  n note …`: the keys a pane's title hints at.
    static func titleHint(for pane: KeyBinding.Pane) -> String {
        bindings.filter { $0.pane == pane }.compactMap { binding in binding.line.map { "\($0.key) \($0.word)" } }
            .joined(separator: "  ")
    }
}
