import Foundation

/// The selected note whole: its id, times and shard, then its text word-wrapped to the pane;
/// PgUp/PgDn scroll it when it is longer than the space.
enum NotePreviewPane {
    static let title = "Note"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        let inner = rect.inner
        guard let note = state.notes.selectedNote else {
            grid.box(rect, title: title + "  " + BottomPane.hint)
            grid.put("select a note in the Notes pane (← → switches to the notes)", x: inner.x, y: inner.y, style: .role(.dim),
                     maxWidth: inner.width)
            return
        }
        let lines = Format.wrap(note.content, width: inner.width, measure: grid.measure)
        let textRows = max(0, inner.height - 1)
        let scroll = min(state.previewScroll, max(0, lines.count - textRows))
        let position = lines.count > textRows ? "  lines \(scroll + 1)–\(min(lines.count, scroll + textRows)) of \(lines.count)  PgUp/PgDn" : ""
        grid.box(rect, title: title + position + "  " + BottomPane.hint)
        let timeZone = grid.environment.timeZone
        var about: StyledLine = [("id ", .label), (note.id.uuidText, .normal),
                                 ("  created ", .label), (Format.clock(note.createdAt, in: timeZone), .normal),
                                 ("  updated ", .label), (Format.clock(note.updatedAt, in: timeZone), .normal)]
        if let placement = state.service?.placement {
            about += [("  shard ", .label), (String(placement.location(of: note.creator).shard), .normal)]
        }
        about.append(("  \(Format.count(note.content.count)) characters", .dim))
        grid.putLines([about] + lines.dropFirst(scroll).prefix(textRows).map { [($0, .normal)] }, in: inner)
    }
}

/// What the bottom pane shows, and the keys that change it, in its title.
enum BottomPane {
    static let hint = "v view"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        switch state.bottomView {
        case .logs: LogsPane.draw(state, in: rect, on: &grid)
        case .api: APIPane.draw(state, in: rect, on: &grid)
        case .note: NotePreviewPane.draw(state, in: rect, on: &grid)
        }
    }
}
