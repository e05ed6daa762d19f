import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Proxy
import Telemetry
import TestSupport

/// Launches real `notely --proxy` children on a temporary data dir for a test.
struct ProxyHarness {
    let directory = TemporaryDirectory("notely-proxy")
    let logs = LogCapture()
    let logger = Logger(label: "test")
    func configuration() throws -> ProxyLaunchConfiguration {
        var configuration = ProxyLaunchConfiguration(executable: try notelyExecutable(), dataDirectory: directory.path + "/data",
                                                     workingDirectory: directory.url, logCapture: logs)
        configuration.readyTimeout = busyMachineReadyTimeout
        return configuration
    }

    func launch(id: Int = 1) async throws -> DataProxyProcess {
        try await DataProxyProcess.launch(id: id, configuration: configuration(), logger: logger)
    }
}

/// A raw HTTP POST, for what `ProxyClient` never sends (no token, huge bodies, bad JSON).
