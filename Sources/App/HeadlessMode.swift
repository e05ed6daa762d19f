import Foundation
import Logging
import Proxy
import Telemetry

/// `notely --headless`: the whole service with no UI; every log line (the app's and each
/// proxy's) goes to stderr.
struct HeadlessMode {
    let options: NotelyCommand

    func run() async throws {
        let logs = LogCapture(echo: StandardError.writeLine)
        LoggingSystem.bootstrap { label in options.handler { LogCaptureHandler(label: label, capture: logs) } }
        let logger = Logger(label: "notely")
        let service = try await NotelyService.start(options: options.serviceOptions, logs: logs, logger: logger)
        // Started by a supervisor that passed its pid and holds our stdin open (a test run):
        // stop in order when it dies, as a proxy does, so a crashed supervisor leaves nothing.
        let parentAlive = ParentLifeline.watch {
            logger.warning("the parent process is gone; stopping")
            service.requestShutdown()
        }
        if !parentAlive { service.requestShutdown() }
        try await service.run()
    }
}

extension NotelyCommand {
    /// The service settings these flags ask for.
    var serviceOptions: NotelyService.Options {
        var service = NotelyService.Options(dataDirectory: dataDir)
        service.clean = clean
        service.port = port
        service.shards = shards
        service.engine = shardEngine ?? .sqlite
        service.postgres = (try? postgresSettings()) ?? nil   // validated before run()
        service.postgresURL = postgres
        service.durability = durability
        service.logLevel = logLevel.rawValue
        service.rolloutWait = .milliseconds(Int64(rolloutWait * 1000))
        service.rolloutPlan = (try? rolloutPlan()) ?? nil   // validated before run()
        service.thresholds = analysisThresholds
        service.load = noLoad ? nil : .init(accounts: accounts, requestsPerMinute: rpm)
        service.rebuild = rebuild
        service.moveBatch = moveBatch
        return service
    }
}
