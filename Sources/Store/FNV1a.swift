/// FNV-1a, 64 bit: a stable, cheap hash of bytes. Shard placement depends on its values (they
/// are part of the on-disk layout, pinned by a test); the load generator uses it to tell note
/// contents apart. Small enough that a package for it would cost more than it saves.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of `bytes`; or, given the hash of what came before, of both one after the other.
    public static func hash(_ bytes: some Sequence<UInt8>, continuing hash: UInt64 = offsetBasis) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
