/// A key as the dashboard understands it, whatever terminal produced it.
enum KeyEvent: Equatable, Sendable {
    case character(Character)
    case up, down, left, right
    case tab, backTab, enter, escape, backspace, delete
    case home, end, pageUp, pageDown
    /// Ctrl-C: the terminal is in raw mode, so it arrives as a key, not a signal.
    case interrupt
    case resize
}
