import Foundation
import Logging
import Telemetry

/// `--rebuild`: compiles the current directory's code before a new version launches, so a
/// presenter can edit the proxy and ship it with `d` (the original's `go run .`).
public struct Rebuilder: Sendable {
    public var workingDirectory: URL
    public var logCapture: LogCapture?

    public init(workingDirectory: URL, logCapture: LogCapture?) {
        self.workingDirectory = workingDirectory
        self.logCapture = logCapture
    }

    /// Runs `swift build --product notely` and returns the fresh binary.
    public func build(logger: Logger) async throws -> URL {
        logger.info("rebuilding notely (swift build --product notely)")
        let (status, output) = try await run(["build", "--product", "notely"], logOutput: true)
        guard status == 0 else {
            let tail = output.split(separator: "\n").suffix(5).joined(separator: " | ")
            throw DeployError.buildFailed(tail.isEmpty ? "exit status \(status)" : tail)
        }
        let (_, binPath) = try await run(["build", "--show-bin-path"], logOutput: false)
        let binary = URL(fileURLWithPath: binPath.trimmingCharacters(in: .whitespacesAndNewlines)).appendingPathComponent("notely")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw DeployError.buildFailed("no notely binary at \(binary.path)")
        }
        return binary
    }

    private func run(_ arguments: [String], logOutput: Bool) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift"] + arguments
        process.currentDirectoryURL = workingDirectory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let exit = ProcessExit()
        process.terminationHandler = { exit.finish(status: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            throw DeployError.buildFailed("cannot run swift: \(error.localizedDescription)")
        }
        let reader = Task.detached { PipeReader.readToEnd(pipe.fileHandleForReading) }
        let status = await exit.wait()
        let output = String(decoding: await reader.value, as: UTF8.self)
        if logOutput {
            for line in output.split(separator: "\n") { logCapture?.append("[build] \(line)") }
        }
        return (status, output)
    }
}
