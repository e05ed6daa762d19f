import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
@testable import App
@testable import Proxy
@testable import Store
@testable import Telemetry

/// A `NotelyService` running in this test process, with real proxy children and a real REST
/// server on a free port.
final class RunningService: Sendable {
    let directory: TemporaryDirectory
    let service: NotelyService
    let baseURL: String
    private let task: Task<Void, any Error>

    init(load: LoadGenerator.Configuration? = nil, rolloutWait: Duration = .seconds(1),
         directory: TemporaryDirectory = TemporaryDirectory("notely-app"),
         frontEndNotes: @Sendable (DeploymentController) -> any NoteStore = { $0 }) async throws {
        var options = NotelyService.Options(dataDirectory: directory.path + "/data")
        options.port = 0
        options.load = load
        options.rolloutWait = rolloutWait
        options.executable = try notelyExecutable()
        options.workingDirectory = directory.url
        let service = try await NotelyService.start(options: options, logs: LogCapture(), logger: Logger(label: "test"),
                                                    frontEndNotes: frontEndNotes)
        self.directory = directory
        self.service = service
        self.task = Task { try await service.run(signals: []) }
        self.baseURL = "http://" + (try await service.restAddress.wait())
    }

    /// The ordered shutdown, as `q` or SIGTERM would start it.
    func stop() async throws {
        service.requestShutdown()
        try await task.value
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
        try await httpRequest(method, baseURL + path, body: body)
    }
}

func httpRequest(_ method: HTTPMethod, _ url: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
    try await httpRequest(method, url, body: body, headers: body == nil ? [] : [("Content-Type", "application/json")]).answer
}

/// A request with exactly these headers (a `Host` among them replaces the one the URL gives).
func httpRequest(_ method: HTTPMethod, _ url: String, body: String?, headers: [(String, String)]) async throws
    -> (answer: (status: Int, json: Any?, text: String), headers: [(String, String)]) {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    let text = String(buffer: bytes)
    let json = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
    return ((Int(response.status.code), json, text), response.headers.map { ($0.name, $0.value) })
}

extension Optional where Wrapped == Any {
    subscript(key: String) -> Any? { (self as? [String: Any])?[key] }
}

/// `notely --headless` as a child process, as a user runs it.
final class HeadlessProcess: Sendable {
    let process: Process
    let port: Int
    private let output: Shared<String>

    init(arguments: [String], in directory: TemporaryDirectory) async throws {
        let process = Process()
        process.executableURL = try notelyExecutable()
        process.arguments = ["--headless", "--port", "0"] + arguments
        process.currentDirectoryURL = directory.url
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        let output = Shared("")
        PipeReader.start(pipe) { data in output.update { $0 += String(decoding: data, as: UTF8.self) } }
        try process.run()
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
            throw TestSetupError("headless notely did not start:\n\(output.value)")
        }
        port = found
    }

    var log: String { output.value }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: Int, json: Any?, text: String) {
        try await httpRequest(method, baseURL + path, body: body)
    }

    /// Pid of the current proxy version, from `/stats`.
    func currentProxyPid() async throws -> Int32 {
        let stats = try await request(.GET, "/stats")
        return Int32(try require(stats.json["deployment"]["current"]["pid"] as? Int))
    }

    func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        _ = await eventually(timeout: timeout) { !self.process.isRunning }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw TestSetupError("missing \(what)") }
    return value
}
