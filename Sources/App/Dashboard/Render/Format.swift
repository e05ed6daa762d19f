import Store
import Foundation

/// Small text formats the panes share.
enum Format {
    static func rate(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    /// `HH:MM:SS` in `timeZone`.
    static func clock(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", components.hour ?? 0, components.minute ?? 0, components.second ?? 0)
    }

    /// `1:02:03` or `02:03`.
    static func duration(seconds: Int) -> String {
        let (hours, rest) = seconds.quotientAndRemainder(dividingBy: 3600)
        let (minutes, secs) = rest.quotientAndRemainder(dividingBy: 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%02d:%02d", minutes, secs)
    }

    static func count(_ value: Int) -> String {
        value >= 1_000_000 ? String(format: "%.1fM", Double(value) / 1_000_000)
            : value >= 10_000 ? String(format: "%.1fk", Double(value) / 1000) : String(value)
    }

    /// A bar of `width` cells, `fraction` of them full.
    static func progressBar(fraction: Double, width: Int) -> (full: String, empty: String) {
        let filled = Int((min(max(fraction, 0), 1) * Double(width)).rounded())
        return (String(repeating: "█", count: filled), String(repeating: "░", count: max(0, width - filled)))
    }

    /// One line of a note for a list: newlines as spaces.
    static func preview(_ content: String) -> String {
        content.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
    }

    /// A move's progress: `40%` while it copies, `clean-up` once it serves from its new shard.
    static func progress(_ move: AccountMove) -> String {
        if move.switched { return "clean-up" }
        guard move.total > 0 else { return "0%" }
        return "\(min(100, move.copied * 100 / move.total))%"
    }

    private static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// A window of `window` samples (the newest last; missing older ones blank) as `width`
    /// block characters against `scale`: one column per sample when there is room, else each
    /// column the highest of the samples it covers — the whole window either way. A zero is
    /// blank, so a gap in traffic shows as a gap.
    static func sparkline(_ samples: [Double], scale: Double, width: Int, window: Int = TrafficHistory.samples) -> String {
        guard width > 0 else { return "" }
        let slots: [Double?] = Array(repeating: nil, count: max(0, window - samples.count)) + samples.suffix(window).map { $0 }
        let columns = min(width, slots.count)
        let bars = (0..<columns).map { column -> Character in
            let covered = slots[column * slots.count / columns ..< (column + 1) * slots.count / columns].compactMap { $0 }
            guard let value = covered.max(), value > 0, scale > 0 else { return " " }
            return blocks[min(blocks.count - 1, Int((value / scale * Double(blocks.count)).rounded(.up)) - 1)]
        }
        return String(repeating: " ", count: width - columns) + String(bars)
    }

    /// `1.2`, `15`, `340`: a latency in milliseconds with the digits that matter.
    static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f", value) : String(format: "%.0f", value)
    }

    /// `text` in lines of at most `width` columns, broken between words (a word wider than a
    /// line is broken where it must); its own line breaks kept.
    static func wrap(_ text: String, width: Int, measure: DisplayWidth) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var used = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var word = Substring(word)
                var wordWidth = measure.of(String(word))
                if used > 0, used + 1 + wordWidth <= width {
                    line += " " + word
                    used += 1 + wordWidth
                    continue
                }
                if used > 0 || !line.isEmpty {
                    lines.append(line)
                    line = ""
                    used = 0
                }
                while wordWidth > width {   // longer than a line: break it
                    var head = ""
                    var headWidth = 0
                    while let character = word.first, headWidth + measure.of(character) <= width {
                        head.append(character)
                        headWidth += measure.of(character)
                        word = word.dropFirst()
                    }
                    lines.append(head)
                    wordWidth = measure.of(String(word))
                }
                line = String(word)
                used = wordWidth
            }
            lines.append(line)
        }
        return lines
    }
}
