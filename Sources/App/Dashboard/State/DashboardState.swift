import Foundation
import Store

/// Everything the dashboard draws, as one value. Only `DashboardUpdate` changes it.
struct DashboardState: Sendable {
    /// The latest service figures (refreshed once a second).
    var service: ServiceSnapshot?
    /// The last minute of each version's requests per second, from those refreshes.
    var traffic = TrafficHistory()
    var notes = NotesPaneState()
    var logs: [String] = []
    /// Lines scrolled up from the newest log line (PgUp/PgDn).
    var logScroll = 0
    /// Whose lines the Logs view shows (`l` cycles).
    var logFilter = LogFilter.all
    /// What the bottom pane shows (`v` cycles): the logs, the REST API's figures, or the
    /// selected note whole.
    var bottomView = BottomView.logs
    /// Lines the note preview is scrolled down (PgUp/PgDn while it shows).
    var previewScroll = 0
    var mode = Mode.browsing
    var showHelp = false
    /// A short line in the Deployments pane (e.g. a refused deploy), shown for a few refreshes.
    var deployMessage: String?
    var deployMessageTicks = 0
    /// Whether the load generator runs, as last set or seen (answers `g` before the next refresh).
    var loadEnabled: Bool?
    var quitting = false

    enum BottomView: CaseIterable, Equatable, Sendable {
        case logs, api, note
    }

    enum Mode: Equatable, Sendable {
        case browsing
        case editing(Edit, TextField)
        case confirmingDelete(Note)
    }

    enum Edit: Equatable, Sendable {
        case newAccount
        case newNote(accountId: UUID)
        case note(Note)

        var prompt: String {
            switch self {
            case .newAccount: "New account name"
            case .newNote: "New note"
            case .note: "Edit note"
            }
        }
    }
}

/// The Notes pane: the accounts with their note counts, and the selected account's notes.
struct NotesPaneState: Equatable, Sendable {
    struct AccountRow: Equatable, Sendable {
        var account: Account
        /// Nil past the first `DashboardRuntime.accountsCounted` accounts: not asked for.
        var noteCount: Int?
    }

    enum Focus: Equatable, Sendable { case accounts, notes }

    var accounts: [AccountRow] = []
    var notes: [Note] = []
    /// The account whose notes `notes` holds.
    var notesAccountId: UUID?
    private(set) var selectedAccountId: UUID?
    private(set) var selectedNoteId: UUID?
    /// Counts the selections a load begun before them may not hold (another account, an
    /// account or a note just created, a note just deleted). A load carries the count it began
    /// at: begun before the last, its lists must neither show nor reset the selection — it is
    /// loaded again. Moving among the notes shown is not counted: every later load holds them.
    private(set) var selectionChanges = 0
    var focus = Focus.accounts
    /// The last result or error of a notes action, shown at the bottom of the pane for a few refreshes.
    var message: String?
    var messageIsError = false
    var messageTicks = 0

    var selectedAccountIndex: Int? { accounts.firstIndex { $0.account.id == selectedAccountId } }
    var selectedNoteIndex: Int? { notes.firstIndex { $0.id == selectedNoteId } }
    var selectedNote: Note? { notes.first { $0.id == selectedNoteId } }

    mutating func select(account: UUID?, note: UUID? = nil) {
        selectedAccountId = account
        selectedNoteId = note
        selectionChanges += 1
    }

    /// One of the notes shown (or none when there are none).
    mutating func selectShown(note: UUID?) { selectedNoteId = note }
}

/// Which log lines show: all, `notely`'s own, or one proxy version's (`[v2] …`).
enum LogFilter: Equatable, Sendable {
    case all, notely
    case version(Int)

    func keeps(_ line: String) -> Bool {
        switch self {
        case .all: true
        case .notely: !line.hasPrefix("[v")
        case .version(let id): line.hasPrefix("[v\(id)] ")
        }
    }

    var title: String {
        switch self {
        case .all: "all"
        case .notely: "notely"
        case .version(let id): "v\(id)"
        }
    }

    /// The next filter after this one: all → notely → each version in `logs` → all.
    func next(in logs: [String]) -> LogFilter {
        let versions = Set(logs.compactMap { line -> Int? in
            guard line.hasPrefix("[v"), let end = line.firstIndex(of: "]") else { return nil }
            return Int(line[line.index(line.startIndex, offsetBy: 2)..<end])
        }).sorted()
        let cycle: [LogFilter] = [.all, .notely] + versions.map(LogFilter.version)
        guard let index = cycle.firstIndex(of: self) else { return .all }
        return cycle[(index + 1) % cycle.count]
    }
}
