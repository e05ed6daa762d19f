import Foundation
import Logging
import Synchronization

/// Starts proxy processes with the newest binary. With `--rebuild` a new version is compiled
/// first; a restart of a crashed version reuses the binary its version was built from.
final class ProxyLauncher: Sendable {
    private let configuration: ProxyLaunchConfiguration
    private let rebuilder: Rebuilder?
    private let executable: Mutex<URL>

    init(configuration: ProxyLaunchConfiguration, rebuilder: Rebuilder?) {
        self.configuration = configuration
        self.rebuilder = rebuilder
        executable = Mutex(configuration.executable)
    }

    /// Builds (with `--rebuild`) and starts version `id`; returns once it answers `Ready`.
    func launchNewVersion(_ id: Int, logger: Logger) async throws -> DataProxyProcess {
        if let rebuilder {
            let binary = try await rebuilder.build(logger: logger)
            executable.withLock { $0 = binary }
        }
        return try await relaunch(id, logger: logger)
    }

    /// Starts another process of version `id` with the current binary.
    func relaunch(_ id: Int, logger: Logger) async throws -> DataProxyProcess {
        var launch = configuration
        launch.executable = executable.withLock { $0 }
        return try await DataProxyProcess.launch(id: id, configuration: launch, logger: logger)
    }
}
