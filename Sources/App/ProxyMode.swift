import Foundation
import Logging
import Proxy
import ServiceLifecycle
import Store
import Telemetry

/// `notely --proxy`: one data proxy serving the shards of a data dir until SIGINT/SIGTERM or
/// until the parent that launched it dies.
struct ProxyMode {
    let options: NotelyCommand

    func run() async throws {
        LoggingSystem.bootstrap { label in options.handler { LogCaptureHandler(label: label, write: StandardError.writeLine) } }
        let logger = Logger(label: "proxy")
        let dataDirectory = DataDirectory(path: options.dataDir)
        if options.clean { try await dataDirectory.removeDatabases(postgres: options.postgresSettings()) }
        // The data dir's own count wins: a growth may have changed it since this proxy's parent started.
        let store = try ShardedNoteStore(dataDirectory: dataDirectory, shardCountIfNew: options.shards ?? NotelyCommand.defaultShards,
                                         engineIfNew: options.shardEngine ?? .sqlite, postgres: options.postgresSettings(),
                                         durability: options.durability)
        defer { try? store.close() }

        let parentAlive = ParentLifeline.watch {
            logger.warning("parent process is gone; shutting down")
            kill(getpid(), SIGTERM)
        }
        guard parentAlive else {
            logger.warning("parent process exited before the proxy started; not serving")
            return
        }
        if ProcessInfo.processInfo.environment[ParentLifeline.parentPidVariable] != nil {
            // A process group of its own: a Ctrl-C in the parent's terminal is the parent's to
            // handle (it stops the proxies in order); it must not reach the proxies directly.
            setpgid(0, 0)
        }

        let port = options.proxyPort ?? 0
        let token = ProcessInfo.processInfo.environment[DataProxyServer.tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        let proxy = DataProxy(proxyId: options.proxyId, store: store)
        let server = DataProxyServer(proxy: proxy, port: port, token: token) { boundPort in
            StandardOutput.writeLine(ListeningLine.line(port: boundPort))
            logger.info("proxy v\(options.proxyId) serving", metadata: [
                "address": "127.0.0.1:\(boundPort)", "pid": "\(getpid())", "shards": "\((try? store.shardCount()) ?? 0)",
                "auth": "\(token == nil ? "none" : "bearer token")",
            ])
        }
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw ExitMessage(code: 1, "proxy v\(options.proxyId) cannot serve on 127.0.0.1:\(port): \(error)")
        }
        logger.info("proxy v\(options.proxyId) stopped")
    }
}
