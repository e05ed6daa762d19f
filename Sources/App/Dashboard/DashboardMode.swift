import Store
import Foundation
import Logging
import Proxy
import Telemetry

/// `notely` with no mode flag: the service of `--headless` under a full-screen dashboard.
/// While the UI owns the terminal, every log line goes to the Logs pane and nothing else
/// writes to the terminal.
struct DashboardMode {
    let options: NotelyCommand

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ExitMessage(code: 2, "the dashboard needs a terminal; use --headless to run without one")
        }
        let logs = LogCapture()
        LoggingSystem.bootstrap { label in options.handler { LogCaptureHandler(label: label, capture: logs) } }
        StandardError.writeLine("notely: starting (data dir \(options.dataDir))…")
        let service = try await NotelyService.start(options: options.serviceOptions, logs: logs, logger: Logger(label: "notely"))
        let runtime = DashboardRuntime(service: service)
        let uiClosed = AsyncPromise<Void>()
        let theme: Theme = options.theme == .light ? .light : .dark
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty

        let thread = Thread {
            Self.uiLoop(runtime: runtime, theme: theme, noColor: noColor)
            uiClosed.fulfill(())
            // The terminal is back: now the ordered shutdown (a no-op if it already began).
            service.requestShutdown()
        }
        thread.name = "notely-ui"
        thread.start()
        let refresh = Task { await runtime.refreshLoop() }

        var failure: (any Error)?
        do { try await service.run() } catch { failure = error }
        runtime.send(.key(.interrupt))   // a shutdown from outside (SIGTERM) closes the UI too
        _ = try? await uiClosed.wait()
        refresh.cancel()
        if let failure { throw failure }
    }

    /// The UI thread: draws at once after a key and otherwise once a second, until quit.
    private static func uiLoop(runtime: DashboardRuntime, theme: Theme, noColor: Bool) {
        let screen = NcursesScreen(theme: theme, noColor: noColor)
        defer { screen.close() }
        var lastDraw = ContinuousClock.now - .seconds(2)
        var lastSize = (width: 0, height: 0)
        let environment = RenderEnvironment.terminal
        while !runtime.wantsQuit {
            if let key = screen.readKey() { runtime.send(.key(key)) }
            let size = screen.size
            let now = ContinuousClock.now
            if runtime.takeDirty() || now - lastDraw >= .seconds(1) || size != lastSize {
                screen.paint(DashboardRenderer.render(runtime.current, width: size.width, height: size.height, environment: environment))
                lastDraw = now
                lastSize = size
            }
        }
    }
}
