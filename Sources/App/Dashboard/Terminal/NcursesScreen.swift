import CNcurses
import Foundation

/// The only code that talks to ncurses: it copies a rendered `Grid` to the terminal and turns
/// key presses into `KeyEvent`s. Not thread-safe, like ncurses itself: one thread owns it.
final class NcursesScreen {
    private let theme: Theme
    private let colors: Bool
    private var closed = false

    /// Takes over the terminal: alternate screen, raw keys (Ctrl-C arrives as a key), no echo,
    /// hidden cursor, a 50 ms key timeout.
    init(theme requested: Theme, noColor: Bool) {
        Self.ensureUTF8Locale()
        notely_install_crash_restore()
        initscr()
        raw()
        noecho()
        nonl()
        keypad(notely_stdscr(), true)
        set_escdelay(25)
        wtimeout(notely_stdscr(), 50)
        curs_set(0)
        colors = !noColor && has_colors()
        theme = colors ? requested : .monochrome
        if colors {
            start_color()
            use_default_colors()
            for role in StyleRole.allCases {
                let look = theme.look(role)
                init_pair(Int16(role.rawValue + 1), Int16(look.foreground), Int16(look.background))
            }
        }
    }

    var size: (width: Int, height: Int) { (Int(notely_cols()), Int(notely_lines())) }

    /// Gives the terminal back. Safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
    }

    /// The next key, or nil when none came within the timeout.
    func readKey() -> KeyEvent? {
        var value: UInt32 = 0
        let status = notely_get_wch(&value)
        if status == notely_key_code_yes() { return Self.functionKey(Int32(value)) }
        guard status == notely_ok() else { return nil }
        switch value {
        case 3: return .interrupt
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }

    private static func functionKey(_ code: Int32) -> KeyEvent? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_BTAB: .backTab
        case KEY_ENTER: .enter
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case notely_key_resize(): .resize
        default: nil
        }
    }

    /// Copies the grid to the screen; ncurses sends only what changed.
    func paint(_ grid: Grid) {
        for y in 0..<grid.height {
            var x = 0
            while x < grid.width {
                let style = grid[x, y].style
                var run: [wchar_t] = []
                let start = x
                while x < grid.width, grid[x, y].style == style {
                    let cell = grid[x, y]
                    if !cell.isContinuation {
                        for scalar in cell.character.unicodeScalars { run.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    x += 1
                }
                let (attributes, pair) = attributes(for: style)
                run.withUnsafeBufferPointer { buffer in
                    _ = notely_put(Int32(y), Int32(start), buffer.baseAddress, Int32(buffer.count), attributes, pair)
                }
            }
        }
        wrefresh(notely_stdscr())
    }

    private func attributes(for style: CellStyle) -> (Int32, Int32) {
        let look = theme.look(style.role)
        var attributes: Int32 = 0
        if style.bold || look.bold { attributes |= notely_attr_bold() }
        if look.dim { attributes |= notely_attr_dim() }
        if look.reverse { attributes |= notely_attr_reverse() }
        if look.underline { attributes |= notely_attr_underline() }
        return (attributes, colors ? Int32(style.role.rawValue + 1) : 0)
    }

    /// ncursesw draws UTF-8 only under a UTF-8 locale; fall back to C.UTF-8 when the
    /// environment's locale is not one.
    private static func ensureUTF8Locale() {
        setlocale(LC_ALL, "")
        let current = String(cString: setlocale(LC_CTYPE, nil))
        if !current.uppercased().contains("UTF-8") && !current.uppercased().contains("UTF8") {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }
}
