import Foundation

/// Reads a pipe to its end on a thread of its own, handing each chunk on as it arrives.
///
/// A child's output must be drained for as long as it runs, or the child blocks once the
/// pipe's buffer is full. A blocking `read` returns nothing only at end of file, so this
/// cannot stop early or wait behind a busy thread pool, unlike a dispatch-driven
/// `readabilityHandler`.
public enum PipeReader {
    /// Everything the handle gives until end of file, read on the caller's thread. Foundation's
    /// `readDataToEndOfFile()` traps when a signal interrupts its read (`try!` on EINTR), and a
    /// process whose children exit gets signals; this reads on through them.
    public static func readToEnd(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[..<count])
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }

    public static func start(_ pipe: Pipe, onData: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable () -> Void = {}) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    onData(Data(buffer[..<count]))
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            // The read end is ours to close: left open, every retired proxy would leave two
            // descriptors behind in `notely`.
            try? handle.close()
            onEnd()
        }
    }
}
