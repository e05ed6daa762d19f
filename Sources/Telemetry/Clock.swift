import Foundation

/// Seconds since an arbitrary origin. Injected into collectors so tests need no sleeps.
public typealias TimeSource = @Sendable () -> Double

public enum TimeSources {
    public static let wallClock: TimeSource = { Date().timeIntervalSince1970 }
}
