import CNcurses
import Foundation

extension RenderEnvironment {
    /// This terminal: ncurses' own `wcwidth` (so the grid's columns are the ones ncurses
    /// draws) and the local time zone.
    static var terminal: RenderEnvironment {
        RenderEnvironment(measure: DisplayWidth { Int(notely_wcwidth($0.value)) }, timeZone: .current)
    }
}
