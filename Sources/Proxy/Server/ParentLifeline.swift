import Foundation
import Synchronization

/// How a proxy child knows its parent is gone, even after a `kill -9`.
///
/// The parent keeps the write end of the child's stdin open and never writes to it. When the
/// parent dies for any reason the kernel closes that end, the child's read of stdin returns
/// end-of-file, and the child shuts down. Unlike a parent-death signal (PR_SET_PDEATHSIG), which
/// fires when the *thread* that spawned the child exits, this follows the whole process. The
/// race at start (the parent dying before the child watches) is closed twice: EOF is sticky,
/// and the child also compares `getppid()` with the pid the parent passed in.
///
/// The end of file can fail to come: a sibling spawned by the same parent at the moment the
/// pipe was open inherits its write end (seen when a test process that started many `notely`s
/// at once crashed: none of them stopped, each holding the others' lifelines). So the child
/// also looks at `getppid()` twice a second: once the parent is gone the child has another.
public enum ParentLifeline {
    public static let parentPidVariable = "NOTELY_PARENT_PID"

    /// In the child: if launched by a Notely parent, calls `onParentGone` once the parent dies.
    /// Returns false when the parent is already gone.
    public static func watch(environment: [String: String] = ProcessInfo.processInfo.environment,
                             onParentGone: @escaping @Sendable () -> Void) -> Bool {
        guard let expected = environment[parentPidVariable].flatMap(Int32.init) else { return true }
        if getppid() != expected { return false }
        let fired = Mutex(false)
        let gone: @Sendable () -> Void = {
            guard fired.withLock({ fired in defer { fired = true }; return !fired }) else { return }
            onParentGone()
        }
        Thread.detachNewThread {
            // Reads through signals (EINTR): only end of file means the parent is gone.
            _ = PipeReader.readToEnd(FileHandle.standardInput)
            gone()
        }
        Thread.detachNewThread {
            while getppid() == expected { usleep(500_000) }
            gone()
        }
        return true
    }
}
