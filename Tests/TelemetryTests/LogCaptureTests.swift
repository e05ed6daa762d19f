import Foundation
import Logging
import Testing
@testable import Telemetry

@Suite struct LogCaptureTests {
    @Test func keepsOnlyTheNewestLines() {
        let capture = LogCapture(capacity: 3)
        for index in 1...5 { capture.append("line \(index)") }
        #expect(capture.lines().map(\.text) == ["line 3", "line 4", "line 5"])
        #expect(capture.lines().map(\.sequence) == [2, 3, 4])
    }

    @Test func joinsPartialWritesPerSource() {
        let capture = LogCapture()
        capture.write("hel", source: "a", linePrefix: "[v1] ")
        capture.write("other\npart", source: "b")
        capture.write("lo\nwor", source: "a", linePrefix: "[v1] ")
        capture.write("ld\n\n", source: "a", linePrefix: "[v1] ")
        capture.flush(source: "b")
        #expect(capture.lines().map(\.text) == ["other", "[v1] hello", "[v1] world", "[v1] ", "part"])
    }

    @Test func concurrentWritersLoseNoLine() async {
        let capture = LogCapture(capacity: 10_000)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<500 { capture.write("w\(writer)-\(index)\n", source: "w\(writer)") }
                }
            }
        }
        let lines = capture.lines()
        #expect(lines.count == 4000)
        #expect(Set(lines.map(\.text)).count == 4000)
        #expect(lines.map(\.sequence) == Array(0..<4000))
    }

    @Test func logHandlerWritesFormattedLines() {
        let capture = LogCapture()
        var logger = Logger(label: "test") { label in LogCaptureHandler(label: label, capture: capture) }
        logger[metadataKey: "version"] = "v2"
        logger.info("proxy ready", metadata: ["ms": "42"])
        logger.debug("hidden at info level")
        let lines = capture.lines().map(\.text)
        #expect(lines.count == 1)
        #expect(lines.first?.hasSuffix("INFO test: proxy ready ms=42 version=v2") == true)
    }
}
