import Foundation

/// How a proxy child knows its parent is gone, even after a `kill -9`.
///
/// The parent keeps the write end of the child's stdin open and never writes to it. When the
/// parent dies for any reason the kernel closes that end, the child's read of stdin returns
/// end-of-file, and the child shuts down. Unlike a parent-death signal (PR_SET_PDEATHSIG), which
/// fires when the *thread* that spawned the child exits, this follows the whole process. The
/// race at start (the parent dying before the child watches) is closed twice: EOF is sticky,
/// and the child also compares `getppid()` with the pid the parent passed in.
public enum ParentLifeline {
    public static let parentPidVariable = "NOTELY_PARENT_PID"

    /// In the child: if launched by a Notely parent, calls `onParentGone` once the parent dies.
    /// Returns false when the parent is already gone.
    public static func watch(environment: [String: String] = ProcessInfo.processInfo.environment,
                             onParentGone: @escaping @Sendable () -> Void) -> Bool {
        guard let expected = environment[parentPidVariable].flatMap(Int32.init) else { return true }
        if getppid() != expected { return false }
        Thread.detachNewThread {
            // Reads through signals (EINTR): only end of file means the parent is gone.
            _ = PipeReader.readToEnd(FileHandle.standardInput)
            onParentGone()
        }
        return true
    }
}
