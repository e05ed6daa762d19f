import Proxy
import Telemetry

/// Status, the serving versions, rollout progress (with the steps of a progressive rollout and
/// each version's share, errors and p95), the last deploy error or verdict, and each version's
/// traffic over the last minute — drawn in that order of importance, so a small terminal
/// keeps the first lines.
enum DeploymentsPane {
    static let title = "Deployments  " + Keymap.titleHint(for: .deployments)

    static func draw(_ state: DashboardState, in rect: Rect, on grid: inout Grid) {
        grid.box(rect, title: title)
        let inner = rect.inner
        guard let service = state.service else { return }
        let deployment = service.deployment
        var lines: [StyledLine] = []
        let wide = inner.width >= 50

        lines.append([(wide ? "status " : "", .label), (deployment.status.rawValue, statusRole(deployment.status)),
                   ("  deploys \(deployment.deploys)  restarts \(deployment.restarts)", deployment.restarts > 0 ? .bad : .dim)])
        let steps = deployment.rollout
        for (label, version) in [("current ", deployment.current), ("previous", deployment.previous)] {
            lines.append(steps == nil ? versionLine(label, version, wide: wide, grid.environment) : figuresLine(label, version, wide: wide))
        }
        let progress = progressLine(deployment, width: inner.width, grid.measure)
        if !progress.isEmpty { lines.append(progress) }
        if let steps { lines.append(stepsLine(steps)) }
        // A rollback's reason names the check and its figures: worth two lines.
        func wrapped(_ text: String, _ role: StyleRole) -> [StyledLine] {
            Format.wrap(text, width: inner.width, measure: grid.measure).prefix(2).map { [($0, role)] }
        }
        if let message = state.deployMessage {
            lines.append([(message, .accent)])
        } else if let error = deployment.lastError {
            lines += wrapped(error, .bad)
        } else if let verdict = steps?.verdicts.last {
            lines += wrapped(verdict.summary, verdict.passed ? .good : .bad)
        }
        lines += trafficLines(state.traffic, width: inner.width, grid.measure)
        for version in [deployment.current, deployment.previous].compactMap({ $0 }) {
            lines.append(breakdownLine(version.id, service.proxies[String(version.id)] ?? [:]))
        }
        grid.putLines(lines, in: inner)
    }

    static func statusRole(_ status: DeploymentStatus) -> StyleRole {
        switch status {
        case .ready: .good
        case .initial: .dim
        case .rolloutLaunchNew, .rolloutWait: .accent
        }
    }

    /// `current   v2  10:04:05  pid 4242  9.5 req/s`, or tighter when narrow.
    private static func versionLine(_ label: String, _ version: VersionSnapshot?, wide: Bool, _ environment: RenderEnvironment) -> StyledLine {
        let gap = wide ? "  " : " "
        guard let version else { return [(label, .label), ("\(gap)—", .dim)] }
        return [(label, .label), ("\(gap)v\(version.id)", .accent), ("\(gap)\(Format.clock(version.launchedAt, in: environment.timeZone))", .normal),
                ("\(gap)pid \(version.pid)", .dim), ("\(gap)\(Format.rate(version.requestsPerSec))\(wide ? " req/s" : "/s")", .normal),
                (version.serving ? "" : "\(gap)draining", .bad)]
    }

    /// `current  v2  10%  err 0.0%  p95 1.2 ms  9.5/s`: a version in a progressive rollout, with
    /// its share of calls and the figures its step is judged on.
    private static func figuresLine(_ label: String, _ version: VersionSnapshot?, wide: Bool) -> StyledLine {
        let gap = wide ? "  " : " "
        guard let version else { return [(label, .label), ("\(gap)—", .dim)] }
        let window = version.window
        let p95 = window.p95Ms.map { Format.milliseconds($0) + " ms" } ?? "—"
        return [(label, .label), ("\(gap)v\(version.id)", .accent), ("\(gap)\(version.share)%", .normal),
                ("\(gap)err \(String(format: "%.1f", window.errorRate))%", window.errors > 0 ? .bad : .dim),
                ("\(gap)p95 \(p95)", .dim), (window.mismatches > 0 ? "\(gap)≠\(window.mismatches)" : "", .bad),
                ("\(gap)\(Format.rate(version.requestsPerSec))/s", .normal), (version.serving ? "" : "\(gap)draining", .bad)]
    }

    /// `steps 10% ✓ → 50% ▸ → 100%`: passed steps, the one running, the ones to come — or where
    /// the rollout was rolled back.
    static func stepsLine(_ rollout: RolloutProgress) -> StyledLine {
        var line: StyledLine = [("steps ", .label)]
        for (index, percent) in rollout.steps.enumerated() {
            if index > 0 { line.append((" → ", .dim)) }
            if index < rollout.verdicts.count {
                let passed = rollout.verdicts[index].passed
                line.append(("\(percent)% \(passed ? "✓" : "✗")", passed ? .good : .bad))
            } else if index == rollout.step {
                line.append(("\(percent)% ▸", .accent))
            } else if rollout.promoted, index == rollout.steps.count - 1 {
                line.append(("\(percent)% ✓", .good))
            } else {
                line.append(("\(percent)%", .dim))
            }
        }
        if rollout.rolledBack { line.append(("  rolled back", .bad)) }
        return line
    }

    /// `v2 ▁▂▄▆▇█  9.5/s` per version, one scale for all, the newest second at the right.
    static func trafficLines(_ traffic: TrafficHistory, width: Int, _ measure: DisplayWidth) -> [StyledLine] {
        let scale = traffic.scale
        return traffic.versions.map { id in
            let samples = traffic.rates[id] ?? []
            let label = "v\(id) "
            let rate = " " + Format.rate(samples.last ?? 0) + "/s"
            let barWidth = min(TrafficHistory.samples, width - measure.of(label) - measure.of(rate) - 1)
            return [(label, .accent), (Format.sparkline(samples, scale: scale, width: barWidth), .progress), (rate, .dim)]
        }
    }

    private static func progressLine(_ deployment: DeploymentSnapshot, width: Int, _ measure: DisplayWidth) -> StyledLine {
        switch deployment.status {
        case .rolloutLaunchNew:
            return [("launching v\(deployment.targetVersion ?? 0)…", .accent)]
        case .rolloutWait:
            let left = deployment.rolloutSecondsLeft ?? 0
            let total = max(deployment.rolloutWaitSeconds, 1)
            let label = left > 0 ? " \(left) s left" : " retiring v\(deployment.previous?.id ?? 0)"
            let bar = Format.progressBar(fraction: 1 - Double(left) / total, width: max(4, width - measure.of(label) - 2))
            return [("[", .dim), (bar.full, .progress), (bar.empty, .dim), ("]", .dim), (label, .accent)]
        case .ready, .initial:
            return []
        }
    }

    private static func breakdownLine(_ id: Int, _ operations: [String: RequestStats]) -> StyledLine {
        let parts = DataStoreOperation.allCases.map { operation in
            "\(operation.rawValue) \(Format.rate(operations[operation.statsKey]?.requestsPerSec ?? 0))"
        }
        return [("v\(id) ", .accent), (parts.joined(separator: "  "), .dim)]
    }
}
