/// A one-line text input: UTF-8 content and a cursor counted in characters.
struct TextField: Equatable, Sendable {
    var text: String
    /// Characters before the cursor.
    var cursor: Int

    init(_ text: String = "") {
        self.text = text
        cursor = text.count
    }

    /// Applies an editing key; returns false for keys a text field does not use.
    mutating func apply(_ key: KeyEvent) -> Bool {
        switch key {
        case .character(let character) where !character.isNewline:
            let index = text.index(text.startIndex, offsetBy: cursor)
            text.insert(character, at: index)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
            cursor -= 1
        case .delete:
            guard cursor < text.count else { return true }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = text.count
        default: return false
        }
        return true
    }
}
