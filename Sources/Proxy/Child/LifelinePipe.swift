import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The pipe a parent hands a child as its stdin, to be its lifeline (`ParentLifeline`): both
/// ends close-on-exec (Foundation's `Pipe` sets no such flag), so no other child the parent
/// spawns later inherits the write end — which would keep this child's lifeline open after the
/// parent closed its own, or died. The child still gets the read end: the spawn's `dup2` onto
/// its fd 0 clears the flag on the copy.
///
/// The flag is set right after `pipe()` (Glibc's module does not export `pipe2`, which would
/// set it atomically): a spawn on another thread within that instant could still inherit the
/// write end, and the child's `getppid()` watch covers the parent's death then.
public struct LifelinePipe: Sendable {
    public let fileHandleForReading: FileHandle
    public let fileHandleForWriting: FileHandle

    public init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        fileHandleForReading = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        fileHandleForWriting = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
    }
}
