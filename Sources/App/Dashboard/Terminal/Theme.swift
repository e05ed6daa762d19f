import CNcurses

/// How each `StyleRole` looks: a foreground/background pair and attributes, per theme. With no
/// colours (NO_COLOR, or a terminal without them) roles are told apart by attributes alone.
struct Theme: Sendable {
    struct Look: Sendable {
        var foreground: Int32
        var background: Int32
        var bold = false
        var dim = false
        var reverse = false
        var underline = false
    }

    let name: String
    let looks: [StyleRole: Look]

    static let useDefault: Int32 = -1

    static let dark = Theme(name: "dark", looks: [
        .normal: Look(foreground: useDefault, background: useDefault),
        .title: Look(foreground: Int32(COLOR_BLACK), background: Int32(COLOR_CYAN)),
        .border: Look(foreground: Int32(COLOR_BLUE), background: useDefault),
        .label: Look(foreground: useDefault, background: useDefault, bold: true),
        .good: Look(foreground: Int32(COLOR_GREEN), background: useDefault),
        .bad: Look(foreground: Int32(COLOR_RED), background: useDefault, bold: true),
        .accent: Look(foreground: Int32(COLOR_CYAN), background: useDefault),
        .dim: Look(foreground: useDefault, background: useDefault, dim: true),
        .selected: Look(foreground: Int32(COLOR_BLACK), background: Int32(COLOR_YELLOW)),
        .selectedInactive: Look(foreground: Int32(COLOR_YELLOW), background: useDefault, underline: true),
        .progress: Look(foreground: Int32(COLOR_GREEN), background: useDefault),
        .warningBanner: Look(foreground: Int32(COLOR_WHITE), background: Int32(COLOR_RED), bold: true),
    ])

    static let light = Theme(name: "light", looks: [
        .normal: Look(foreground: useDefault, background: useDefault),
        .title: Look(foreground: Int32(COLOR_WHITE), background: Int32(COLOR_BLUE)),
        .border: Look(foreground: Int32(COLOR_BLUE), background: useDefault),
        .label: Look(foreground: Int32(COLOR_BLACK), background: useDefault, bold: true),
        .good: Look(foreground: Int32(COLOR_GREEN), background: useDefault),
        .bad: Look(foreground: Int32(COLOR_RED), background: useDefault, bold: true),
        .accent: Look(foreground: Int32(COLOR_MAGENTA), background: useDefault),
        .dim: Look(foreground: Int32(COLOR_BLACK), background: useDefault, dim: true),
        .selected: Look(foreground: Int32(COLOR_WHITE), background: Int32(COLOR_BLUE)),
        .selectedInactive: Look(foreground: Int32(COLOR_BLUE), background: useDefault, underline: true),
        .progress: Look(foreground: Int32(COLOR_BLUE), background: useDefault),
        .warningBanner: Look(foreground: Int32(COLOR_WHITE), background: Int32(COLOR_RED), bold: true),
    ])

    /// Attributes only, for NO_COLOR and monochrome terminals.
    static let monochrome = Theme(name: "none", looks: [
        .normal: Look(foreground: useDefault, background: useDefault),
        .title: Look(foreground: useDefault, background: useDefault, reverse: true),
        .border: Look(foreground: useDefault, background: useDefault),
        .label: Look(foreground: useDefault, background: useDefault, bold: true),
        .good: Look(foreground: useDefault, background: useDefault),
        .bad: Look(foreground: useDefault, background: useDefault, bold: true),
        .accent: Look(foreground: useDefault, background: useDefault, bold: true),
        .dim: Look(foreground: useDefault, background: useDefault, dim: true),
        .selected: Look(foreground: useDefault, background: useDefault, reverse: true),
        .selectedInactive: Look(foreground: useDefault, background: useDefault, underline: true),
        .progress: Look(foreground: useDefault, background: useDefault, bold: true),
        .warningBanner: Look(foreground: useDefault, background: useDefault, bold: true, reverse: true),
    ])

    func look(_ role: StyleRole) -> Look { looks[role] ?? Look(foreground: Self.useDefault, background: Self.useDefault) }
}
