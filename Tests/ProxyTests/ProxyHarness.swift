import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Proxy
import Store
import Telemetry
import TestSupport

/// Launches real `notely --proxy` children on a temporary data dir for a test.
struct ProxyHarness {
    let directory = TemporaryDirectory("notely-proxy")
    let logs = LogCapture()
    let logger = Logger(label: "test")
    /// The engine of the data dir's shards; `postgres` puts them on the test server.
    var engine = ShardEngine.sqlite

    func configuration() throws -> ProxyLaunchConfiguration {
        var configuration = ProxyLaunchConfiguration(executable: try notelyExecutable(), dataDirectory: directory.path + "/data",
                                                     workingDirectory: directory.url, logCapture: logs)
        configuration.readyTimeout = busyMachineReadyTimeout
        if engine == .postgres { configuration.postgresURL = try TestPostgres.url() }
        return configuration
    }

    func launch(id: Int = 1) async throws -> DataProxyProcess {
        if engine == .postgres { try makeDataDirectory() }
        return try await DataProxyProcess.launch(id: id, configuration: configuration(), logger: logger)
    }

    /// Makes the data dir on the engine asked for, as `notely` does before it starts a proxy.
    func makeDataDirectory() throws {
        try ShardedNoteStore(dataDirectory: DataDirectory(path: directory.path + "/data"), shardCountIfNew: 2, engineIfNew: engine,
                             postgres: engine == .postgres ? TestPostgres.settings() : nil).close()
    }
}

/// A raw HTTP POST, for what `ProxyClient` never sends (no token, huge bodies, bad JSON).
