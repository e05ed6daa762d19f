import Store
import Foundation
import Logging
import Synchronization
import Telemetry

/// Why a proxy child could not be started.
public struct ProxyLaunchError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// A running `notely --proxy` child: its version, port, pid and clients.
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
    /// For note-store calls.
    public let client: ProxyClient
    /// For `Ready` and `ExportShardStats`: connections of its own, so a health check never
    /// queues behind store calls waiting for a connection of the same pool.
    public let healthClient: ProxyClient
    /// The bearer token the child requires; only this process knows it.
    let token: String

    private let process: Process
    /// The write end of the child's stdin; closing it (or dying) tells the child to stop.
    private let lifeline: FileHandle
    private let exit: ProcessExit
    private let configuration: ProxyLaunchConfiguration
    private let stopped = Mutex(false)
    private let readiness = Mutex(0.0)

    private init(id: Int, port: Int, process: Process, lifeline: FileHandle, exit: ProcessExit, token: String,
                 launchedAt: Date, configuration: ProxyLaunchConfiguration) {
        self.id = id
        self.port = port
        self.pid = process.processIdentifier
        self.process = process
        self.lifeline = lifeline
        self.exit = exit
        self.token = token
        let address = "127.0.0.1:\(port)"
        client = ProxyClient(id: id, address: address, token: token, timeout: .seconds(10), stats: configuration.stats)
        healthClient = ProxyClient(id: id, address: address, token: token, timeout: .seconds(2))
        self.launchedAt = launchedAt
        self.configuration = configuration
    }

    /// The exit status once the child has exited; nil while it runs.
    public var exitStatus: Int32? { exit.status }
    public var isRunning: Bool { exit.status == nil }

    /// The exit status, as soon as the child exits (an event, not a poll); nil if the waiting
    /// task is cancelled first.
    public func exited() async -> Int32? { await exit.waitUnlessCancelled() }

    /// Starts version `id` and waits until it is ready (or fails within the ready timeout).
    public static func launch(id: Int, configuration: ProxyLaunchConfiguration, logger: Logger) async throws -> DataProxyProcess {
        let token = randomToken()
        let process = Process()
        process.executableURL = configuration.executable
        process.arguments = configuration.arguments(id: id)
        process.currentDirectoryURL = configuration.workingDirectory
        var environment = ProcessInfo.processInfo.environment
        environment[DataProxyServer.tokenVariable] = token
        environment[ParentLifeline.parentPidVariable] = String(getpid())
        if let url = configuration.postgresURL { environment[PostgresSettings.environmentVariable] = url }
        process.environment = environment

        let stdin: LifelinePipe
        do {
            stdin = try LifelinePipe()
        } catch {
            throw ProxyLaunchError(description: "cannot make the proxy's lifeline pipe: \(error)")
        }
        let listening = AsyncPromise<Int>()
        process.standardInput = stdin.fileHandleForReading
        process.standardOutput = readListeningLine(into: listening, then: configuration.logCapture, id: id)
        process.standardError = pipeLines(into: configuration.logCapture, source: "v\(id).err", prefix: "[v\(id)] ")
        let exit = ProcessExit()
        // As a shell reports it: 128 + the signal for a child a signal ended.
        process.terminationHandler = { process in
            exit.finish(status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus)
        }

        let launchedAt = Date()
        let started = ContinuousClock.now
        let deadline = started + configuration.readyTimeout
        do {
            try process.run()
        } catch {
            throw ProxyLaunchError(description: "cannot start \(configuration.executable.path): \(error.localizedDescription)")
        }
        try? stdin.fileHandleForReading.close()

        let port: Int
        do {
            port = try await firstOf(listening: listening, exit: exit, id: id, deadline: deadline)
        } catch {
            logger.error("proxy failed to start", metadata: ["version": "v\(id)", "error": "\(error)"])
            kill(process.processIdentifier, SIGKILL)
            _ = await exit.wait()
            try? stdin.fileHandleForWriting.close()
            throw error
        }
        logger.info("launched proxy", metadata: ["version": "v\(id)", "pid": "\(process.processIdentifier)", "port": "\(port)"])
        let handle = DataProxyProcess(id: id, port: port, process: process, lifeline: stdin.fileHandleForWriting, exit: exit,
                                      token: token, launchedAt: launchedAt, configuration: configuration)
        do {
            try await waitUntilReady(handle, deadline: deadline)
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

    /// The port the child reports once it listens — or why it never will: it exited, or the
    /// deadline passed.
    private static func firstOf(listening: AsyncPromise<Int>, exit: ProcessExit, id: Int,
                                deadline: ContinuousClock.Instant) async throws -> Int {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await listening.wait() }
            group.addTask {
                guard let status = await exit.waitUnlessCancelled() else { return nil }
                throw ProxyLaunchError(description: "proxy v\(id) exited with status \(status) before it was ready")
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw ProxyLaunchError(description: "proxy v\(id) did not report a port in time")
            }
            defer { group.cancelAll() }
            guard let port = try await group.next() ?? nil else { throw CancellationError() }
            return port
        }
    }

    /// Polls `Ready` every 10 ms (a healthy child serves within milliseconds of listening)
    /// while watching for the child's exit, so a child that dies at start fails the launch at once.
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
        var lastError = "it reported its port only as the time ran out"
        while ContinuousClock.now < deadline {
            do {
                let info = try await handle.healthClient.ready()
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
    /// period — or SIGKILL at once when not `gracefully` (a child that never served, or a hung
    /// one). Safe to call more than once, and from a cancelled task: stopping always completes.
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
            await healthClient.shutdown()
            logger.info("proxy stopped", metadata: ["version": "v\(id)", "status": "\(status)"])
        }
    }

    /// The child's stdout: its first line is the `ListeningLine`; anything after it is logged.
    private static func readListeningLine(into listening: AsyncPromise<Int>, then capture: LogCapture?, id: Int) -> Pipe {
        let pipe = Pipe()
        let pending = Mutex<[UInt8]?>([])   // bytes before the first newline; nil once it was read
        let source = "v\(id).out", prefix = "[v\(id)] "
        PipeReader.start(pipe, onData: { data in
            let rest: Data? = pending.withLock { pending in
                guard var head = pending else { return data }
                head.append(contentsOf: data)
                guard let newline = head.firstIndex(of: UInt8(ascii: "\n")) else {
                    pending = head
                    return nil
                }
                pending = nil
                let line = String(decoding: head[..<newline], as: UTF8.self)
                if let port = ListeningLine.port(in: line) {
                    listening.fulfill(port)
                    return Data(head[(newline + 1)...])
                }
                return Data(head)
            }
            if let rest, !rest.isEmpty { capture?.write(String(decoding: rest, as: UTF8.self), source: source, linePrefix: prefix) }
        }, onEnd: {
            capture?.flush(source: source, linePrefix: prefix)
        })
        return pipe
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
