import Foundation

/// What a cell means, not how it looks: the terminal backend maps roles to a theme's colours.
enum StyleRole: Int, CaseIterable, Sendable {
    case normal, title, border, label, good, bad, accent, dim, selected, selectedInactive, progress, warningBanner
}

struct CellStyle: Equatable, Sendable {
    var role: StyleRole = .normal
    var bold = false

    static let normal = CellStyle()
    static func role(_ role: StyleRole, bold: Bool = false) -> CellStyle { CellStyle(role: role, bold: bold) }
}

/// One screen position. A wide character (CJK, most emoji) fills its cell and marks the next
/// one as its continuation, so the grid's columns are the terminal's columns.
struct Cell: Equatable, Sendable {
    var character: Character = " "
    var style = CellStyle.normal
    var isContinuation = false
}

/// What a render needs from outside the state: how many columns a character takes on this
/// terminal, and the time zone clocks are shown in. Injected, so render stays a pure function
/// and tests choose both.
struct RenderEnvironment: Sendable {
    var measure: DisplayWidth
    var timeZone: TimeZone
}

/// An in-memory screen that `render` draws into and tests read as text.
struct Grid: Sendable {
    let width: Int
    let height: Int
    let environment: RenderEnvironment
    private(set) var cells: [Cell]

    init(width: Int, height: Int, environment: RenderEnvironment) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.environment = environment
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    /// Columns of text on this terminal.
    var measure: DisplayWidth { environment.measure }

    subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Writes `text` from column `x` on row `y` within `maxWidth` columns (and the grid). Text
    /// that does not fit loses whole words from its end — never half a word; a single word
    /// wider than the space ends in `…`. Control characters become spaces. Returns the
    /// columns used.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in Self.fitting(text, columns: limit - x, measure: measure) {
            let shown = character.isNewline || character.unicodeScalars.first.map({ $0.value < 0x20 || $0.value == 0x7f }) == true
                ? " " : character
            let columns = measure.of(shown)
            if column + columns > limit { break }
            if column >= 0 {
                cells[y * width + column] = Cell(character: shown, style: style)
                if columns == 2 { cells[y * width + column + 1] = Cell(character: " ", style: style, isContinuation: true) }
            }
            column += columns
        }
        return column - x
    }

    /// `text` if it fits in `columns`; else its longest run of whole words that does, or — when
    /// not even the first word fits — that word cut with `…`.
    static func fitting(_ text: String, columns: Int, measure: DisplayWidth) -> Substring {
        guard columns > 0 else { return "" }
        var used = 0
        var end = text.startIndex
        while end < text.endIndex {
            let next = used + measure.of(text[end])
            if next > columns { break }
            used = next
            end = text.index(after: end)
        }
        if end == text.endIndex || text[end] == " " { return text[..<end] }
        if let space = text[..<end].lastIndex(of: " ") {
            let kept = text[..<space]
            return kept.trimmingSuffix(while: { $0 == " " })
        }
        return Substring(measure.truncate(text, to: columns))
    }

    /// Fills a rectangle with one character and style.
    mutating func fill(x: Int, y: Int, width fillWidth: Int, height fillHeight: Int, character: Character = " ", style: CellStyle = .normal) {
        for row in max(0, y)..<min(height, y + fillHeight) {
            for column in max(0, x)..<min(width, x + fillWidth) {
                cells[row * width + column] = Cell(character: character, style: style)
            }
        }
    }

    /// The row as text (continuation cells left out), for tests and debugging.
    func line(_ y: Int) -> String {
        String((0..<width).compactMap { x in self[x, y].isContinuation ? nil : self[x, y].character })
    }

    /// The whole grid as lines of text.
    var text: String { (0..<height).map(line).joined(separator: "\n") }
}

/// Terminal columns text takes: 2 for wide East Asian characters and emoji, else 1, as the
/// terminal's own `cellWidth` counts a scalar (the backend passes ncurses' `wcwidth`).
struct DisplayWidth: Sendable {
    let cellWidth: @Sendable (Unicode.Scalar) -> Int

    func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 1 }
        if character.unicodeScalars.count > 1, character.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        return cellWidth(scalar) == 2 ? 2 : 1
    }

    func of(_ text: String) -> Int { text.reduce(0) { $0 + of($1) } }

    /// `text` cut to at most `columns` columns, with an ellipsis when cut — after the last
    /// whole word that fits, or inside a first word too long for the space.
    func truncate(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        if let space = result.lastIndex(of: " "), result[..<space].contains(where: { $0 != " " }) {
            result = String(result[..<space].trimmingSuffix(while: { $0 == " " }))
        }
        return result + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `columns` columns.
    func pad(_ text: String, to columns: Int) -> String {
        let cut = truncate(text, to: columns)
        return cut + String(repeating: " ", count: max(0, columns - of(cut)))
    }

    /// `text` right-aligned in `columns` columns.
    func padLeft(_ text: String, to columns: Int) -> String {
        let cut = truncate(text, to: columns)
        return String(repeating: " ", count: max(0, columns - of(cut))) + cut
    }
}

extension Substring {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
