import ArgumentParser
import Foundation
import Store
import Telemetry

/// An error that ends `notely` with one line on stderr and a chosen exit code.
struct ExitMessage: Error, CustomStringConvertible {
    let code: Int32
    let description: String

    init(code: Int32, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Parses the command line by hand so that a bad flag gives one clear line and exit code 2
/// (the design's contract), not ArgumentParser's default usage dump and code 64.
@main
enum Main {
    static func main() async {
        resetInheritedSignals()
        var command: any ParsableCommand
        do {
            command = try NotelyCommand.parseAsRoot()
        } catch {
            if NotelyCommand.exitCode(for: error) == .success { NotelyCommand.exit(withError: error) }
            fail("\(NotelyCommand.message(for: error)) (see notely --help)", code: 2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitMessage {
            fail(error.description, code: error.code)
        } catch let error as StoreError {
            if case .shardCountMismatch = error { fail(error.description, code: 2) }
            fail(error.description, code: 1)
        } catch {
            if NotelyCommand.exitCode(for: error) == .success { NotelyCommand.exit(withError: error) }
            fail("\(error)", code: 1)
        }
    }

    /// A child inherits its parent's blocked and ignored signals (a Notely parent ignores
    /// SIGTERM and SIGINT while it handles them itself). Start clean, so SIGTERM stops a proxy
    /// even before it installs its own handler.
    /// SIGPIPE is ignored, so a write to a pipe nobody reads fails with EPIPE (and is dropped,
    /// see `StandardStream`) instead of killing the process.
    static func resetInheritedSignals() {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        for signalNumber in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { signal(signalNumber, SIG_DFL) }
        signal(SIGPIPE, SIG_IGN)
    }

    static func fail(_ message: String, code: Int32) -> Never {
        StandardError.writeLine("notely: \(message)")
        exit(code)
    }
}
