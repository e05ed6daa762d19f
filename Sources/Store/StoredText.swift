import Foundation
import GRDB

/// Note content and account names in SQLite, byte for byte. GRDB binds a Swift `String` as a
/// C string and SQLite then stops at the first U+0000, silently cutting the rest; so text is
/// stored as a BLOB of its UTF-8 bytes, which SQLite keeps whole. Reading accepts both, so
/// rows written as TEXT before this keep reading the same.
enum StoredText {
    static func value(_ text: String) -> Data { Data(text.utf8) }

    static func read(_ row: Row, _ index: Int) -> String {
        let bytes: Data = row[index] ?? Data()
        return String(decoding: bytes, as: UTF8.self)
    }
}
