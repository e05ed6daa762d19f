import Foundation

/// The deadline every RPC carries, in the `Notely-Deadline` header as milliseconds since the
/// Unix epoch: wall-clock time, which parent and child share on one machine, so a request that
/// sat unread in a hung proxy's socket is judged by when the parent gave up, not by when the
/// proxy read it. A proxy never applies a store call whose deadline has passed — checked again
/// once the call holds every lock it needs, and no lock wait outlives it — so a call the parent
/// gave up on can't land later over a newer acknowledged write (`StoreError.deadlinePassed`,
/// docs/DEPLOYMENTS.md).
public enum CallDeadline {
    public static let header = "Notely-Deadline"
    static let canonicalHeader = "notely-deadline"

    public static func headerValue(_ deadline: Date) -> String {
        String(Int64((deadline.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// The deadline in a header value; nil when absent or not a number (then there is none).
    public static func parse(_ value: String?) -> Date? {
        guard let value, let milliseconds = Int64(value) else { return nil }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
