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
}
