import Foundation

/// RFC 3339 timestamps as they travel in JSON: written in UTC with milliseconds, read with or
/// without fractional seconds, so hand-written `curl` bodies work too.
///
/// Everything is kept at whole milliseconds (rounded to nearest, never truncated: a Double
/// holding .123 may really be .12299…), so a note is equal to itself after any round trip.
public enum Timestamp {
    private static let withFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFractions = Date.ISO8601FormatStyle()

    public static func encode(_ date: Date) -> String {
        let milliseconds = self.milliseconds(date)
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, millis) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let base = withoutFractions.format(Date(timeIntervalSince1970: Double(wholeSeconds)))
        return base.dropLast() + "." + String(format: "%03lld", millis) + "Z"
    }

    public static func decode(_ text: String, field: String = "timestamp") throws -> Date {
        if let date = try? withFractions.parse(text) { return roundedToMilliseconds(date) }
        if let date = try? withoutFractions.parse(text) { return date }
        throw StoreError.invalidInput("\(field) is not an RFC 3339 timestamp: \(text)")
    }

    /// Whole milliseconds since 1970, the unit timestamps are stored in.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public static func roundedToMilliseconds(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }
}
