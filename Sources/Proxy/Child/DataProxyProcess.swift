import Foundation
import Logging
import Synchronization
import Telemetry

/// Why a proxy child could not be started.
public struct ProxyLaunchError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// A running `notely --proxy` child: its version, port, pid and client.
///
/// `launch` returns only once the child answers `Ready` with the right version, so a handle in
/// hand is a proxy that serves. The child dies with this process (see `ParentLifeline`).
public final class DataProxyProcess: Sendable {
    public let id: Int
    public let port: Int
    public let pid: Int32
    public let launchedAt: Date
    /// Seconds from spawning the child to its first good `Ready` answer.
    public var secondsToReady: Double { readiness.withLock { $0 } }
    public let client: ProxyClient
    /// The bearer token the child requires; only this process knows it.
    let token: String

    private let process: Process
    /// The write end of the child's stdin; closing it (or dying) tells the child to stop.
    private let lifeline: FileHandle
    private let exit: ProcessExit
    private let configuration: ProxyLaunchConfiguration
    private let stopped = Mutex(false)
    private let readiness = Mutex(0.0)

    private init(id: Int, port: Int, process: Process, lifeline: FileHandle, exit: ProcessExit, client: ProxyClient,
                 token: String, launchedAt: Date, configuration: ProxyLaunchConfiguration) {
        self.id = id
        self.port = port
        self.pid = process.processIdentifier
        self.process = process
        self.lifeline = lifeline
        self.exit = exit
        self.client = client
        self.token = token
        self.launchedAt = launchedAt
        self.configuration = configuration
    }

    /// The exit status once the child has exited; nil while it runs.
    public var exitStatus: Int32? { exit.status }
    public var isRunning: Bool { exit.status == nil }

    /// Starts version `id` and waits until it is ready (or fails within the ready timeout).
    public static func launch(id: Int, configuration: ProxyLaunchConfiguration, logger: Logger) async throws -> DataProxyProcess {
        let port = try freePort()
        let token = randomToken()
        let process = Process()
        process.executableURL = configuration.executable
        process.arguments = configuration.arguments(id: id, port: port)
        process.currentDirectoryURL = configuration.workingDirectory
        var environment = ProcessInfo.processInfo.environment
        environment[DataProxyServer.tokenVariable] = token
        environment[ParentLifeline.parentPidVariable] = String(getpid())
        process.environment = environment

        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = pipeLines(into: configuration.logCapture, source: "v\(id).out", prefix: "[v\(id)] ")
        process.standardError = pipeLines(into: configuration.logCapture, source: "v\(id).err", prefix: "[v\(id)] ")
        let exit = ProcessExit()
        process.terminationHandler = { process in exit.finish(status: process.terminationStatus) }

        let launchedAt = Date()
        let started = ContinuousClock.now
        do {
            try process.run()
        } catch {
            throw ProxyLaunchError(description: "cannot start \(configuration.executable.path): \(error.localizedDescription)")
        }
        try? stdin.fileHandleForReading.close()
        let client = ProxyClient(id: id, address: "127.0.0.1:\(port)", token: token, timeout: .seconds(10),
                                 stats: configuration.stats)
        logger.info("launched proxy", metadata: ["version": "v\(id)", "pid": "\(process.processIdentifier)", "port": "\(port)"])

        let handle = DataProxyProcess(id: id, port: port, process: process, lifeline: stdin.fileHandleForWriting, exit: exit,
                                      client: client, token: token, launchedAt: launchedAt, configuration: configuration)
        do {
            try await waitUntilReady(handle, deadline: started + configuration.readyTimeout)
        } catch {
            logger.error("proxy failed to start", metadata: ["version": "v\(id)", "error": "\(error)"])
            await handle.shutdown(logger: logger, gracefully: false)
            throw error
        }
        let elapsed = (ContinuousClock.now - started).seconds
        handle.readiness.withLock { $0 = elapsed }
        logger.info("proxy ready", metadata: ["version": "v\(id)", "ms": "\(Int(elapsed * 1000))"])
        return handle
    }

    /// Polls `Ready` every 10 ms (a healthy child serves within a few hundred ms) while
    /// watching for the child's exit, so a child that dies at start fails the launch at once.
    private static func waitUntilReady(_ handle: DataProxyProcess, deadline: ContinuousClock.Instant) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pollReady(handle, deadline: deadline) }
            group.addTask {
                guard let status = await handle.exit.waitUnlessCancelled() else { return }
                throw ProxyLaunchError(description: "proxy v\(handle.id) exited with status \(status) before it was ready")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private static func pollReady(_ handle: DataProxyProcess, deadline: ContinuousClock.Instant) async throws {
        var lastError = "no answer"
        while ContinuousClock.now < deadline {
            do {
                let info = try await handle.client.ready()
                guard info.proxyId == handle.id else {
                    throw ProxyLaunchError(description: "port \(handle.port) answered as v\(info.proxyId), expected v\(handle.id)")
                }
                return
            } catch let error as ProxyLaunchError {
                throw error
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ProxyLaunchError(description: "proxy v\(handle.id) was not ready within \(handle.configuration.readyTimeout): \(lastError)")
    }

    /// Stops the child: SIGTERM (it finishes requests in flight), then SIGKILL after the grace
    /// period — or SIGKILL at once when not `gracefully` (a child that never served has nothing
    /// to finish). Safe to call more than once, and from a cancelled task: stopping always completes.
    public func shutdown(logger: Logger, gracefully: Bool = true) async {
        await Task { await self.stop(logger: logger, gracefully: gracefully) }.value
    }

    private func stop(logger: Logger, gracefully: Bool) async {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first, isRunning, !gracefully {
            kill(pid, SIGKILL)
        } else if first, isRunning {
            kill(pid, SIGTERM)
            if await exit.wait(timeout: configuration.stopGrace) == nil {
                logger.warning("proxy did not stop in time; killing it", metadata: ["version": "v\(id)", "pid": "\(pid)"])
                kill(pid, SIGKILL)
            }
        }
        let status = await exit.wait()
        if first {
            try? lifeline.close()
            await client.shutdown()
            logger.info("proxy stopped", metadata: ["version": "v\(id)", "status": "\(status)"])
        }
    }

    private static func pipeLines(into capture: LogCapture?, source: String, prefix: String) -> Pipe {
        let pipe = Pipe()
        PipeReader.start(pipe, onData: { data in
            capture?.write(String(decoding: data, as: UTF8.self), source: source, linePrefix: prefix)
        }, onEnd: {
            capture?.flush(source: source, linePrefix: prefix)
        })
        return pipe
    }

    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }
}
