import CNcurses
import Foundation
import Testing

/// The C surface works from Swift: a screen starts on a real pseudo-terminal and reports the
/// size the terminal has.
@Suite struct CNcursesSmokeTests {
    @Test func newtermOnAPseudoTerminalReadsItsSize() throws {
        var number: Int32 = -1
        let master = notely_open_pty(&number)
        try #require(master >= 0)
        defer { close(master) }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        #expect(notely_set_winsize(slave, 30, 100) == 0)

        // Drain what ncurses writes so it never blocks on a full pty buffer.
        let drain = Thread { var buffer = [UInt8](repeating: 0, count: 4096); while read(master, &buffer, 4096) > 0 {} }
        drain.start()

        let output = try #require(fdopen(slave, "w"))
        let input = try #require(fdopen(dup(slave), "r"))
        let screen = try #require(notely_newterm("xterm-256color", output, input))
        #expect(notely_lines() == 30)
        #expect(notely_cols() == 100)
        #expect(notely_getmaxy(notely_stdscr()) == 30)
        #expect(notely_getmaxx(notely_stdscr()) == 100)
        endwin()
        delscreen(screen)
        fclose(output)
        fclose(input)
    }
}
