import Foundation
import Testing
import Store
import TestSupport
import Proxy

/// The command-line contract, run against the real `notely` binary.
@Suite struct CommandLineTests {
    func notely(_ arguments: [String], in directory: TemporaryDirectory = TemporaryDirectory()) async throws -> (status: Int32, output: String) {
        try await runProcess(try notelyExecutable(), arguments, currentDirectory: directory.url)
    }

    @Test(arguments: [
        ["--port", "abc"], ["--port", "70000"], ["--shards", "0"], ["--rpm", "-1"], ["--theme", "blue"],
        ["--rollout-wait", "-5"], ["--accounts", "0"], ["--bogus"], ["--headless", "--proxy"],
        ["--proxy-port", "9000"], ["--proxy", "--proxy-port", "0"], ["--proxy", "--proxy-id", "0"], ["--durability", "fast"], ["--log-level", "loud"],
        ["--rollout-steps", "50,10"], ["--rollout-steps", "0"], ["--rollout-steps", "ten"], ["--rollout-steps", ""],
        ["--max-p95-ratio", "0.5"], ["--max-error-rise", "-1"], ["--mirror-reads", "150"], ["--p95-floor-ms", "abc"],
    ])
    func badFlagsGiveOneClearLineAndExitCode2(arguments: [String]) async throws {
        let (status, output) = try await notely(arguments)
        #expect(status == 2, "\(arguments): \(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments) printed: \(output)")
        #expect(output.hasPrefix("notely: "))
    }

    @Test func helpListsEveryFlag() async throws {
        let (status, output) = try await notely(["--help"])
        #expect(status == 0)
        for flag in ["--headless", "--proxy", "--proxy-port", "--proxy-id", "--data-dir", "--clean", "--port", "--shards",
                     "--rollout-wait", "--no-load", "--accounts", "--rpm", "--rebuild", "--theme", "--durability",
                     "--rollout-steps", "--max-error-rise", "--max-p95-ratio", "--p95-floor-ms", "--mirror-reads"] {
            #expect(output.contains(flag), "--help lacks \(flag)")
        }
    }

    /// `--shards` sets the count of a new data dir only: `notely` refuses another count for an
    /// existing one (exit 2, saying how to grow it), and a proxy serves the count the dir has.
    @Test func aDataDirRefusesAnotherShardCount() async throws {
        let directory = TemporaryDirectory()
        try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path + "/data"), shardCount: 2).close()

        let (status, output) = try await notely(["--headless", "--no-load", "--port", "0", "--data-dir", "data", "--shards", "3"], in: directory)
        #expect(status == 2)
        #expect(output.contains("holds 2 shards") && output.contains("POST /shards"), "\(output)")

        let proxy = Process()
        proxy.executableURL = try notelyExecutable()
        let port = try freePort()
        proxy.arguments = ["--proxy", "--data-dir", "data", "--shards", "3", "--proxy-port", String(port)]
        proxy.currentDirectoryURL = directory.url
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        let client = ProxyClient(id: 1, address: "127.0.0.1:\(port)")
        #expect(await eventually { (try? await client.ready()) != nil }, "the proxy never served")
        #expect(try await client.ready().shards == ["shard-0", "shard-1"], "the data dir's own count wins")
        await client.shutdown()
        proxy.terminate()
        proxy.waitUntilExit()
        #expect(proxy.terminationStatus == 0, "SIGTERM should stop the proxy cleanly")
    }

    /// `--log-level warning`: a proxy serves without its info lines (and a proxy launched by
    /// `notely` gets the same flag, `ProxyLaunchConfiguration`).
    @Test func logLevelLeavesOutLessSevereLines() async throws {
        let directory = TemporaryDirectory()
        for level in ["warning", "info"] {
            let proxy = Process()
            proxy.executableURL = try notelyExecutable()
            let port = try freePort()
            proxy.arguments = ["--proxy", "--data-dir", "data", "--proxy-port", String(port), "--log-level", level]
            proxy.currentDirectoryURL = directory.url
            let stderr = Pipe()
            proxy.standardError = stderr
            try proxy.run()
            try stderr.fileHandleForWriting.close()
            let client = ProxyClient(id: 1, address: "127.0.0.1:\(port)")
            #expect(await eventually { (try? await client.ready()) != nil }, "the proxy never served")
            await client.shutdown()
            proxy.terminate()
            proxy.waitUntilExit()
            let output = String(decoding: PipeReader.readToEnd(stderr.fileHandleForReading), as: UTF8.self)   // the child is gone: all of it
            #expect(output.contains("serving") == (level == "info") && output.contains("stopped") == (level == "info"), "\(level): \(output)")
        }
    }
}
