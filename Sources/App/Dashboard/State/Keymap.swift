/// What a key does while the dashboard is browsing (editing and the y/n question read keys
/// of their own).
enum DashboardCommand: Sendable, Equatable {
    case quit, deploy, toggleLoad, showHelp, killProxy, hangProxy
    /// A bad new version on purpose, for a progressive rollout to catch.
    case makeSlow, makeFailing, makeWrong
    case moveUp, moveDown, switchFocus
    case newAccount, newNote, edit, delete
    case scrollLogsBack, scrollLogsForward
    case moveAccount, addShard, drainShard, migrate
    case cycleBottomView, cycleLogFilter
}

/// One binding: the keys, the command, and how help shows it. Declared once in `Keymap`, the
/// table that drives `DashboardUpdate`, the help overlay, the help line and the pane titles
/// (after bubbles' `key.Binding` with its help text).
struct KeyBinding: Sendable {
    enum Pane: Sendable { case deployments, shards, notes }

    let keys: [KeyEvent]
    let command: DashboardCommand
    /// The keys as the help overlay lists them (`↑ ↓  j k`).
    let label: String
    /// What the overlay says it does.
    let help: String
    /// The keys and the word on the bottom help line; nil leaves it off the line.
    let line: (key: String, word: String)?
    /// Which entries the help line keeps when not all fit: lower ranks first.
    let rank: Int
    /// Hinted in this pane's title.
    let pane: Pane?

    init(_ keys: [KeyEvent], _ command: DashboardCommand, label: String, help: String,
         line: (key: String, word: String)? = nil, rank: Int = 9, pane: Pane? = nil) {
        self.keys = keys
        self.command = command
        self.label = label
        self.help = help
        self.line = line
        self.rank = rank
        self.pane = pane
    }
}

enum Keymap {
    static let bindings: [KeyBinding] = [
        KeyBinding([.up], .moveUp, label: "↑ ↓", help: "move the selection", line: ("↑↓", "move"), rank: 6),
        KeyBinding([.down], .moveDown, label: "", help: ""),
        KeyBinding([.left, .right, .tab, .backTab], .switchFocus, label: "← →  Tab", help: "switch between accounts and notes",
                   line: ("←→/Tab", "switch"), rank: 7),
        KeyBinding([.character("a")], .newAccount, label: "a", help: "new account", line: ("a", "account"), rank: 4, pane: .notes),
        KeyBinding([.character("n")], .newNote, label: "n", help: "new note for the selected account", line: ("n", "note"), rank: 4, pane: .notes),
        KeyBinding([.character("e"), .enter], .edit, label: "e  Enter", help: "edit the selected note (Enter saves, Esc cancels)",
                   line: ("e", "edit"), rank: 4, pane: .notes),
        KeyBinding([.character("x")], .delete, label: "x", help: "delete the selected note (asks y/n)", line: ("x", "delete"), rank: 5, pane: .notes),
        KeyBinding([.character("d")], .deploy, label: "d", help: "deploy the next proxy version", line: ("d", "deploy"), rank: 2, pane: .deployments),
        KeyBinding([.character("k")], .killProxy, label: "k", help: "kill the serving proxy (SIGKILL), watch it recover", line: ("k", "kill"), rank: 3,
                   pane: .deployments),
        KeyBinding([.character("h")], .hangProxy, label: "h", help: "hang the serving proxy for 5 s (SIGSTOP, SIGCONT)", line: ("h", "hang"), rank: 3,
                   pane: .deployments),
        KeyBinding([.character("s")], .makeSlow, label: "s  f  w",
                   help: "make the newest version slow, failing or wrong"),
        KeyBinding([.character("f")], .makeFailing, label: "", help: ""),
        KeyBinding([.character("w")], .makeWrong, label: "", help: ""),
        KeyBinding([.character("m")], .moveAccount, label: "m", help: "move the account to the next shard, live",
                   line: ("m", "move"), rank: 5, pane: .shards),
        KeyBinding([.character("+")], .addShard, label: "+  -", help: "add a shard, or drain the newest and retire it, live",
                   line: ("+", "shard"), rank: 5, pane: .shards),
        KeyBinding([.character("-")], .drainShard, label: "", help: ""),
        KeyBinding([.character("M")], .migrate, label: "M", help: "move every note to the other engine (SQLite ⇄ PostgreSQL)",
                   line: ("M", "migrate"), rank: 5, pane: .shards),
        KeyBinding([.character("g")], .toggleLoad, label: "g", help: "load generator on/off", line: ("g", "load"), rank: 5),
        KeyBinding([.character("v")], .cycleBottomView, label: "v", help: "bottom pane: logs, API figures, or the note whole",
                   line: ("v", "view"), rank: 4),
        KeyBinding([.character("l")], .cycleLogFilter, label: "l", help: "logs of: all, notely, each version", line: ("l", "logs of"), rank: 8),
        KeyBinding([.pageUp], .scrollLogsBack, label: "PgUp PgDn", help: "scroll the logs or the note", line: ("PgUp/PgDn", "scroll"), rank: 8),
        KeyBinding([.pageDown], .scrollLogsForward, label: "", help: ""),
        KeyBinding([.character("?")], .showHelp, label: "?", help: "this list of keys", line: ("?", "help"), rank: 1),
        KeyBinding([.character("q"), .interrupt], .quit, label: "q  Ctrl-C", help: "quit (stops everything in order)",
                   line: ("q", "quit"), rank: 1),
    ]

    static func command(for key: KeyEvent) -> DashboardCommand? {
        bindings.first { $0.keys.contains(key) }?.command
    }

    /// The overlay's rows: bindings that share a row with the one before (`j`/`k`) have no label.
    static var helpRows: [(keys: String, help: String)] {
        bindings.filter { !$0.label.isEmpty }.map { ($0.label, $0.help) }
    }

    /// The bottom line's entries that fit in `width` columns whole, as `measure` counts them:
    /// the lowest ranks are kept, shown in the table's order.
    static func lineEntries(width: Int, measure: DisplayWidth) -> [(key: String, word: String)] {
        let entries = bindings.enumerated().compactMap { index, binding in binding.line.map { (index, binding.rank, $0) } }
        var used = 0
        var kept: Set<Int> = []
        for (index, _, line) in entries.sorted(by: { ($0.1, $0.0) < ($1.1, $1.0) }) {
            let columns = measure.of(KeyHelpLine.text(line))
            if used + columns > width { continue }
            used += columns
            kept.insert(index)
        }
        return entries.filter { kept.contains($0.0) }.map(\.2)
    }

    /// `d deploy`, `a account  n note …`: the keys a pane's title hints at. Each key and its
    /// word are held together by a no-break space, so a title that does not fit loses whole
    /// hints, never a key without its word.
    static func titleHint(for pane: KeyBinding.Pane) -> String {
        bindings.filter { $0.pane == pane }.compactMap { binding in binding.line.map { "\($0.key)\u{00A0}\($0.word)" } }
            .joined(separator: "  ")
    }
}
