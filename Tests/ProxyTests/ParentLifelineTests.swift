import Foundation
import Testing
import TestSupport
@testable import Proxy

/// The child's side of "a proxy never outlives its parent". The full story (kill -9 of a real
/// `notely` parent) is tested in AppTests; these tests drive the mechanism directly.
@Suite struct ParentLifelineTests {
    /// Starts a proxy whose lifeline is `stdin`; its log lines collect in `output`.
    func spawnProxy(parentPid: Int32, directory: TemporaryDirectory, output: Shared<String> = Shared("")) throws -> (Process, LifelinePipe) {
        let process = Process()
        process.executableURL = try notelyExecutable()
        process.arguments = ["--proxy", "--data-dir", directory.path, "--proxy-id", "4"]
        var environment = ProcessInfo.processInfo.environment
        environment[ParentLifeline.parentPidVariable] = String(parentPid)
        process.environment = environment
        let stdin = try LifelinePipe()
        process.standardInput = stdin.fileHandleForReading
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        PipeReader.start(stderr) { data in output.update { $0 += String(decoding: data, as: UTF8.self) } }
        try process.run()
        try stderr.fileHandleForWriting.close()
        try stdin.fileHandleForReading.close()
        return (process, stdin)
    }

    @Test func theProxyStopsWhenItsLifelineCloses() async throws {
        let directory = TemporaryDirectory()
        let output = Shared("")
        let (process, stdin) = try spawnProxy(parentPid: getpid(), directory: directory, output: output)
        #expect(await eventually { output.value.contains("serving") }, "the proxy should serve while its parent lives: \(output.value)")
        #expect(process.isRunning)
        try stdin.fileHandleForWriting.close()   // what the kernel does when the parent dies
        // `#require`: `terminationStatus` of a process still running traps.
        try #require(await eventually(timeout: .seconds(30)) { !process.isRunning }, "still running: \(output.value)")
        #expect(process.terminationStatus == 0)
        #expect(await eventually { output.value.contains("parent process is gone") }, "\(output.value)")
    }

    @Test func aProxyWhoseParentIsAlreadyGoneNeverServes() async throws {
        let directory = TemporaryDirectory()
        // Pid 1 is never this test, so the child sees a parent other than the one named.
        let (process, stdin) = try spawnProxy(parentPid: 1, directory: directory)
        #expect(await eventually(timeout: .seconds(30)) { !process.isRunning })
        #expect(process.terminationStatus == 0)
        try? stdin.fileHandleForWriting.close()
    }
}
