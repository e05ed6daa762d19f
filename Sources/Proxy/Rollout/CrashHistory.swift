/// When to restart a version that keeps crashing, and when to give up: a pure policy over the
/// times of its recent crashes, so a crash loop backs off and then ends with a clear error
/// instead of restarting forever.
struct CrashHistory: Sendable {
    /// Crashes counted within this window.
    static let window: Duration = .seconds(60)
    /// The pause before each restart, by how many crashes the window holds; past the last,
    /// the version is given up.
    static let backoff: [Duration] = [.zero, .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)]

    enum Decision: Equatable, Sendable {
        case restart(after: Duration)
        case giveUp(crashes: Int)
    }

    private var crashes: [ContinuousClock.Instant] = []

    mutating func recordCrash(at now: ContinuousClock.Instant) -> Decision {
        crashes.removeAll { now - $0 > Self.window }
        crashes.append(now)
        guard crashes.count <= Self.backoff.count else { return .giveUp(crashes: crashes.count) }
        return .restart(after: Self.backoff[crashes.count - 1])
    }

    /// A new version starts with a clean history.
    mutating func reset() { crashes.removeAll() }
}
