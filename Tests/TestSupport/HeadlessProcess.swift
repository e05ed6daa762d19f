import Foundation
import NIOHTTP1
import Proxy

/// `notely --headless` as a child process, as a user runs it.
public final class HeadlessProcess: Sendable {
    public let process: Process
    public let port: Int
    private let output: Shared<String>
    /// The write end of the child's stdin, never written: if this test process dies, the
    /// kernel closes it and the child stops by itself (`ParentLifeline`).
    private let lifeline: FileHandle

    public init(arguments: [String], in directory: TemporaryDirectory) async throws {
        let process = Process()
        process.executableURL = try notelyExecutable()
        process.arguments = ["--headless", "--port", "0"] + arguments
        process.currentDirectoryURL = directory.url
        let stdin = try LifelinePipe()
        process.standardInput = stdin.fileHandleForReading
        var environment = ProcessInfo.processInfo.environment
        environment[ParentLifeline.parentPidVariable] = String(getpid())
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        let output = Shared("")
        PipeReader.start(pipe) { data in output.update { $0 += String(decoding: data, as: UTF8.self) } }
        try process.run()
        try? stdin.fileHandleForReading.close()
        lifeline = stdin.fileHandleForWriting
        self.process = process
        self.output = output
        var found: Int?
        _ = await eventually(timeout: .seconds(30)) {
            if let match = output.value.firstMatch(of: /REST API listening on http:\/\/127\.0\.0\.1:(\d+)/) { found = Int(match.1) }
            return found != nil || !process.isRunning
        }
        guard let found else {
            // `deinit` does not run for an instance whose init throws: stop the process here.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? stdin.fileHandleForWriting.close()
            throw TestSetupError("headless notely did not start:\n\(output.value)")
        }
        port = found
    }

    public var log: String { output.value }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func request(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
        try await httpRequest(method, baseURL + path, body: body)
    }

    /// Pid of the current proxy version, from `/stats`.
    public func currentProxyPid() async throws -> Int32 {
        let stats = try await request(.GET, "/stats")
        return Int32(try require(stats.json["deployment"]["current"]["pid"] as? Int))
    }

    public func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        _ = await eventually(timeout: timeout) { !self.process.isRunning }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// What the kernel does when this test process dies.
    public func closeLifeline() { try? lifeline.close() }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? lifeline.close()
    }
}
