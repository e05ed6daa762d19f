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
         frontEndNotes: @Sendable (DeploymentController) -> any NoteStore = { $0 },
         configure: (inout NotelyService.Options) -> Void = { _ in }) async throws {
        var options = NotelyService.Options(dataDirectory: directory.path + "/data")
        options.port = 0
        options.load = load
        options.rolloutWait = rolloutWait
        options.executable = try notelyExecutable()
        options.workingDirectory = directory.url
        options.readyTimeout = busyMachineReadyTimeout
        configure(&options)
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
