import Foundation
/// Accounts (name, shard, note count) beside the selected account's notes (preview, updated time),
/// with the edit field, the delete question or the last message at the bottom.
enum NotesPane {
    static let title = "Notes"

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        let pane = state.notes
        grid.box(rect, title: title + "  " + Keymap.titleHint(for: .notes), focused: isEditing(state))
        let inner = rect.inner
        guard inner.height >= 3 else { return }
        let accountsWidth = max(14, inner.width / 3)
        let notesX = inner.x + accountsWidth + 1
        let notesWidth = inner.x + inner.width - notesX
        let listRows = inner.height - 2

        let selectedName = pane.accounts.first { $0.account.id == pane.selectedAccountId }?.account.name
        grid.put("Accounts", x: inner.x, y: inner.y, style: .role(pane.focus == .accounts ? .accent : .label, bold: true), maxWidth: accountsWidth)
        grid.put("Notes" + (selectedName.map { " of \($0)" } ?? ""), x: notesX, y: inner.y,
                 style: .role(pane.focus == .notes ? .accent : .label, bold: true), maxWidth: notesWidth)
        for row in 0..<(inner.height - 1) { grid.put("│", x: inner.x + accountsWidth, y: inner.y + row, style: .role(.border)) }

        // The shard column only where a name keeps room enough beside it.
        let placement = accountsWidth >= 18 ? state.service?.placement : nil
        let accountRows = pane.accounts.map { row in
            let shard = placement.map { shardColumn($0, row.account.id) } ?? ""
            let shardWidth = placement == nil ? 0 : max(4, grid.measure.of(shard) + 1)
            return (grid.measure.pad(Format.preview(row.account.name), to: accountsWidth - 5 - shardWidth)
                + grid.measure.padLeft(shard, to: shardWidth)
                + grid.measure.padLeft(row.noteCount.map(String.init) ?? "·", to: 5),
             row.account.id == pane.selectedAccountId)
        }
        drawList(accountRows, x: inner.x, y: inner.y + 1, width: accountsWidth, rows: listRows, focused: pane.focus == .accounts, on: &grid)

        let noteRows = pane.notes.map { note in
            (grid.measure.pad(Format.preview(note.content), to: notesWidth - 9) + " " + Format.clock(note.updatedAt, in: grid.environment.timeZone), note.id == pane.selectedNoteId)
        }
        if noteRows.isEmpty, pane.selectedAccountId != nil {
            grid.put("no notes — n creates one", x: notesX, y: inner.y + 1, style: .role(.dim), maxWidth: notesWidth)
        }
        if pane.accounts.isEmpty {
            grid.put("no accounts — a creates one", x: inner.x, y: inner.y + 1, style: .role(.dim), maxWidth: accountsWidth)
        }
        drawList(noteRows, x: notesX, y: inner.y + 1, width: notesWidth, rows: listRows, focused: pane.focus == .notes, on: &grid)
        drawBottomLine(state, x: inner.x, y: inner.y + inner.height - 1, width: inner.width, on: &grid)
    }

    /// `s1`; `→s3` while a move to shard 3 waits its turn, `→s3 40%` while it runs.
    private static func shardColumn(_ view: PlacementView, _ accountId: UUID) -> String {
        let (shard, moving) = view.location(of: accountId)
        guard let moving else { return "s\(shard)" }
        guard let running = view.placement.moves.first, running.accountId == accountId else { return "→s\(moving.to)" }
        return "→s\(moving.to) " + (running.switched ? "✓" : Format.progress(running))
    }

    private static func isEditing(_ state: DashboardState) -> Bool {
        if case .browsing = state.mode { return false }
        return true
    }

    /// A list that scrolls to keep its selected row in view.
    private static func drawList(_ rows: [(text: String, selected: Bool)], x: Int, y: Int, width: Int, rows visible: Int,
                                 focused: Bool, on grid: inout Grid) {
        guard visible > 0 else { return }
        let selected = rows.firstIndex { $0.selected } ?? 0
        let offset = max(0, min(selected - visible + 1, rows.count - visible))
        for (index, row) in rows.enumerated().dropFirst(max(0, offset)).prefix(visible) {
            let line = y + index - max(0, offset)
            let style: CellStyle = row.selected ? .role(focused ? .selected : .selectedInactive, bold: true) : .normal
            grid.put(grid.measure.pad(row.text, to: width), x: x, y: line, style: style, maxWidth: width)
        }
    }

    private static func drawBottomLine(_ state: DashboardState, x: Int, y: Int, width: Int, on grid: inout Grid) {
        switch state.mode {
        case .editing(let edit, let field):
            let prompt = "\(edit.prompt): "
            let used = grid.put(prompt, x: x, y: y, style: .role(.accent, bold: true), maxWidth: width)
            drawField(field, x: x + used, y: y, width: width - used, on: &grid)
        case .confirmingDelete(let note):
            grid.put("Delete “\(Format.preview(note.content))”? y/n", x: x, y: y, style: .role(.bad, bold: true), maxWidth: width)
        case .browsing:
            if let message = state.notes.message {
                grid.put(message, x: x, y: y, style: .role(state.notes.messageIsError ? .bad : .good), maxWidth: width)
            }
        }
    }

    /// The text around the cursor, with the cursor cell shown reversed.
    private static func drawField(_ field: TextField, x: Int, y: Int, width: Int, on grid: inout Grid) {
        guard width > 1 else { return }
        let characters = Array(field.text)
        var start = 0
        while grid.measure.of(String(characters[start..<field.cursor])) > width - 1 { start += 1 }
        let shown = String(characters[start...])
        grid.put(shown, x: x, y: y, style: .role(.normal), maxWidth: width)
        let cursorX = x + grid.measure.of(String(characters[start..<field.cursor]))
        let under = field.cursor < characters.count ? String(characters[field.cursor]) : " "
        grid.put(under, x: cursorX, y: y, style: .role(.selected))
    }
}
