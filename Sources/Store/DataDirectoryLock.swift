import Foundation

/// One `notely` per data dir: an advisory lock (`flock`) on `notely.lock` in it, held for the
/// life of the process, with the holder's pid written inside so a second copy can say who has
/// it. The kernel drops the lock when the holder dies, however it dies, so a stale lock file
/// never blocks a restart. The proxies of that `notely` share the data dir by design and take
/// no lock; the descriptor is close-on-exec, so they don't hold this one either.
public final class DataDirectoryLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Why the lock could not be taken.
    public enum Failure: Error, CustomStringConvertible {
        case heldBy(pid: Int32?, dataDir: String)
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case .heldBy(let pid, let dataDir):
                "data dir \(dataDir) is in use by another notely\(pid.map { " (pid \($0))" } ?? ""); "
                    + "stop it first, or use another --data-dir"
            case .cannotOpen(let path, let reason): "cannot open the lock file \(path): \(reason)"
            }
        }
    }

    /// Takes the lock, or fails at once (never waits) naming the process that holds it.
    public init(_ directory: DataDirectory) throws {
        try directory.create()
        path = directory.url.appendingPathComponent("notely.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPid(descriptor)
            close(descriptor)
            throw Failure.heldBy(pid: holder, dataDir: directory.url.path)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    private static func readPid(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
