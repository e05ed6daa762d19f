import Foundation
/// A seeded random source (SplitMix64), so a fuzz run that fails can be run again exactly:
/// the seed is in the failure message, and `NOTELY_FUZZ_SEED` sets it. Ten lines; the
/// property-testing packages on this machine shrink values of Swift types, not HTTP requests.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of this run: `NOTELY_FUZZ_SEED`, or a fresh one.
    public static func seedForThisRun() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["NOTELY_FUZZ_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64.max)
    }
}
