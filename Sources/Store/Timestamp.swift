import Foundation

/// RFC 3339 timestamps as they travel in JSON: written in UTC with milliseconds, read with or
/// without fractional seconds, so hand-written `curl` bodies work too.
///
/// Everything is kept at whole milliseconds (rounded to nearest, never truncated: a Double
/// holding .123 may really be .12299…), so a note is equal to itself after any round trip.
/// The common form `YYYY-MM-DDTHH:MM:SS[.fff]Z` is written and read by hand (calendar
/// arithmetic after Howard Hinnant's `days_from_civil`): every note on the wire carries two,
/// and Foundation's general parser costs more than the rest of a request. Other forms (an
/// offset such as `+01:00`) fall back to Foundation.
public enum Timestamp {
    private static let withFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFractions = Date.ISO8601FormatStyle()
    private static let millisecondsPerDay: Int64 = 86_400_000

    public static func encode(_ date: Date) -> String {
        let milliseconds = self.milliseconds(date)
        let days = floorDivide(milliseconds, millisecondsPerDay)
        let rest = milliseconds - days * millisecondsPerDay
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else { return encode(year: year, month: month, day: day, millisecondsOfDay: rest) }
        // Every field has a fixed width: the 24 bytes are written in place. Building a string
        // per field made this the costliest step of writing a note on the wire (`perf`).
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            func put(_ value: Int64, digits: Int, then separator: Character) {
                var value = value
                for position in (index..<index + digits).reversed() {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                buffer[index + digits] = separator.asciiValue!
                index += digits + 1
            }
            let seconds = rest / 1000
            put(year, digits: 4, then: "-")
            put(month, digits: 2, then: "-")
            put(day, digits: 2, then: "T")
            put(seconds / 3600, digits: 2, then: ":")
            put(seconds / 60 % 60, digits: 2, then: ":")
            put(seconds % 60, digits: 2, then: ".")
            put(rest % 1000, digits: 3, then: "Z")
            return index
        }
    }

    /// The same for a year of other than four digits.
    private static func encode(year: Int64, month: Int64, day: Int64, millisecondsOfDay: Int64) -> String {
        var rest = millisecondsOfDay
        let millis = rest % 1000
        rest /= 1000
        var text = ""
        text.reserveCapacity(24)
        append(year, digits: 4, to: &text)
        text.append("-")
        append(month, digits: 2, to: &text)
        text.append("-")
        append(day, digits: 2, to: &text)
        text.append("T")
        append(rest / 3600, digits: 2, to: &text)
        text.append(":")
        append(rest / 60 % 60, digits: 2, to: &text)
        text.append(":")
        append(rest % 60, digits: 2, to: &text)
        text.append(".")
        append(millis, digits: 3, to: &text)
        text.append("Z")
        return text
    }

    public static func decode(_ text: String, field: String = "timestamp") throws -> Date {
        if let milliseconds = parseUTC(text) { return date(milliseconds: milliseconds) }
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

    // MARK: The fast path

    /// Milliseconds for `YYYY-MM-DDTHH:MM:SS[.f…]Z` (`t` and `z` accepted too); nil for anything else.
    static func parseUTC(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes.last == UInt8(ascii: "Z") || bytes.last == UInt8(ascii: "z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60 else { return nil }
        var millis: Int64 = 0
        let end = bytes.count - 1
        if end > 19 {
            guard bytes[19] == UInt8(ascii: "."), end > 20, end - 20 <= 9, let fraction = number(20..<end) else { return nil }
            var scale: Int64 = 1
            for _ in 0..<(end - 20) { scale *= 10 }
            millis = (fraction * 1000 * 2 + scale) / (scale * 2)   // rounded to nearest
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }

    private static func append(_ value: Int64, digits: Int, to text: inout String) {
        let string = String(value)
        if string.count < digits { text.append(String(repeating: "0", count: digits - string.count)) }
        text.append(string)
    }
}
