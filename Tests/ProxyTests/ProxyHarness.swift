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
func rawPost(port: Int, body: ByteBuffer, headers: [(String, String)] = [("Content-Type", "application/json")]) async throws
    -> (status: UInt, body: String) {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/rpc")
    request.method = .POST
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(body)
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return (response.status.code, String(buffer: bytes))
}

func rawPost(port: Int, json: String, headers: [(String, String)] = [("Content-Type", "application/json")]) async throws
    -> (status: UInt, body: String) {
    try await rawPost(port: port, body: ByteBuffer(string: json), headers: headers)
}
