import Foundation

/// CPU time (user + system) a process has used so far, so the bench can say what one
/// operation costs each side in CPU: on a shared two-core machine that splits the work far
/// more steadily than ops/s does.
enum ProcessCPU {
    /// This process, from `getrusage` (microsecond resolution).
    static func own() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return duration(usage.ru_utime) + duration(usage.ru_stime)
    }

    /// Another process, from `/proc/PID/stat` (clock-tick resolution, 10 ms here); nil where
    /// there is no /proc or the process is gone.
    static func of(pid: Int32) -> Duration? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ")", options: .backwards) else { return nil }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .microseconds((user + system) * 1_000_000 / max(1, ticksPerSecond))
    }

    private static func duration(_ time: timeval) -> Duration {
        .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
    }
}
