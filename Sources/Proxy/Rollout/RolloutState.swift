/// Where a rollout stands, with the proxies each stage has. An enum whose cases carry their
/// data, so the combinations that must not happen (a previous version without a current one,
/// two deploys at once, a deploy after shutdown) can't be written down. Transitions are
/// mutating functions that say what the caller must do next; none of them does I/O.
/// Generic over the proxy handle so tests can drive every transition without a process.
enum RolloutState<Proxy: RolloutMember>: Sendable {
    /// No deploy runs. `current` is nil only before the first deploy.
    case idle(current: Proxy?)
    /// A deploy brings up `target`; `current` keeps serving alone meanwhile.
    case launching(target: Int, current: Proxy?)
    /// The new version is current; both serve until `endsAt` (the end of the wait, or of the
    /// step), the new one getting `share` percent of calls.
    case bothServing(current: Proxy, previous: Proxy, share: Int, endsAt: ContinuousClock.Instant)
    /// The previous version gets no new calls; it drains and stops.
    case retiring(current: Proxy, previous: Proxy)
    /// A step failed its analysis: the previous version serves alone again while the new one
    /// drains and stops.
    case rollingBack(serving: Proxy, failed: Proxy)
    /// `shutdown()` began: nothing serves and nothing deploys from here on.
    case stopped

    var status: DeploymentStatus {
        switch self {
        case .idle(nil), .stopped: .initial
        case .idle: .ready
        case .launching: .rolloutLaunchNew
        case .bothServing, .retiring, .rollingBack: .rolloutWait
        }
    }

    var current: Proxy? {
        switch self {
        case .idle(let current), .launching(_, let current): current
        case .bothServing(let current, _, _, _), .retiring(let current, _), .rollingBack(let current, _): current
        case .stopped: nil
        }
    }

    var previous: Proxy? {
        switch self {
        case .bothServing(_, let previous, _, _), .retiring(_, let previous), .rollingBack(_, let previous): previous
        case .idle, .launching, .stopped: nil
        }
    }

    /// The proxies new calls may go to.
    var serving: [Proxy] {
        switch self {
        case .bothServing(let current, let previous, _, _): [current, previous]
        default: current.map { [$0] } ?? []
        }
    }

    /// The percent of new calls that go to the new version while both serve.
    var newShare: Int? {
        if case .bothServing(_, _, let share, _) = self { return share }
        return nil
    }

    /// The serving version a call goes to, among `candidates` (those routable now): the new
    /// one with its share of calls while both serve (`roll` is 0..<100), otherwise any.
    func choose(among candidates: [Proxy], roll: Int = .random(in: 0..<100)) -> Proxy? {
        guard candidates.count > 1, case .bothServing(let current, let previous, let share, _) = self,
              candidates.contains(where: { $0 === current }), candidates.contains(where: { $0 === previous }) else {
            return candidates.randomElement()
        }
        return roll < share ? current : previous
    }

    /// Where a read `answeredBy` answered is mirrored (`--mirror-reads`), and which of the two
    /// is the new version: the other one while both serve; the one serving again for a read
    /// the failed version answered as its rollback began (in flight then — its answer is not
    /// to be trusted either); nil otherwise.
    func mirror(of answeredBy: Proxy) -> (other: Proxy, newVersion: Proxy)? {
        switch self {
        case .bothServing(let current, let previous, _, _) where answeredBy === current: (previous, current)
        case .bothServing(let current, let previous, _, _) where answeredBy === previous: (current, current)
        case .rollingBack(let serving, let failed) where answeredBy === failed: (serving, failed)
        default: nil
        }
    }

    /// Every proxy process that runs, serving or draining.
    var running: [Proxy] { [current, previous].compactMap { $0 } }

    /// The version a running deploy brings up.
    var targetVersion: Int? {
        switch self {
        case .launching(let target, _): target
        case .bothServing(let current, _, _, _), .retiring(let current, _): current.id
        case .rollingBack(_, let failed): failed.id
        case .idle, .stopped: nil
        }
    }

    var rolloutEndsAt: ContinuousClock.Instant? {
        if case .bothServing(_, _, _, let endsAt) = self { return endsAt }
        return nil
    }

    // MARK: Transitions

    /// Starts a deploy and returns the version to launch, or refuses: deploys never queue.
    mutating func beginDeploy() throws(DeployError) -> Int {
        switch self {
        case .idle(let current):
            let target = (current?.id ?? 0) + 1
            self = .launching(target: target, current: current)
            return target
        case .stopped:
            throw .shuttingDown
        case .launching, .bothServing, .retiring, .rollingBack:
            throw .alreadyRunning(targetVersion: targetVersion)
        }
    }

    /// The new version failed to start: the current one goes on alone.
    mutating func launchFailed() {
        if case .launching(_, let current) = self { self = .idle(current: current) }
    }

    enum Promotion: Sendable {
        /// The first version: it serves alone.
        case servingAlone
        /// Both serve until the rollout wait ends; then `previous` retires.
        case servingBeside(previous: Proxy)
        /// Shutdown began during the launch: the caller stops the new version.
        case refused
    }

    /// Makes the freshly launched version current, with `share` percent of calls until `endsAt`.
    mutating func promote(_ launched: Proxy, share: Int, until endsAt: ContinuousClock.Instant) -> Promotion {
        guard case .launching(_, let old) = self else { return .refused }
        guard let old else {
            self = .idle(current: launched)
            return .servingAlone
        }
        self = .bothServing(current: launched, previous: old, share: share, endsAt: endsAt)
        return .servingBeside(previous: old)
    }

    /// Starts the next step of `newVersion`'s rollout; false when it no longer runs.
    mutating func beginStep(of newVersion: Proxy, share: Int, until endsAt: ContinuousClock.Instant) -> Bool {
        guard case .bothServing(let current, let previous, _, _) = self, current === newVersion else { return false }
        self = .bothServing(current: current, previous: previous, share: share, endsAt: endsAt)
        return true
    }

    /// A step of `newVersion` failed: the previous version serves alone again; returns the new
    /// one to be drained and stopped, or nil when its rollout no longer runs.
    mutating func abandon(_ newVersion: Proxy) -> Proxy? {
        guard case .bothServing(let current, let previous, _, _) = self, current === newVersion else { return nil }
        self = .rollingBack(serving: previous, failed: current)
        return current
    }

    /// The abandoned version has stopped: the rollback is complete.
    mutating func abandonedRetired() {
        if case .rollingBack(let serving, _) = self { self = .idle(current: serving) }
    }

    /// Takes the previous version out of the routing; returns it to be drained and stopped.
    /// (Whichever process is previous now: a crash may have replaced the one the rollout began with.)
    mutating func stopRoutingPrevious() -> Proxy? {
        guard case .bothServing(let current, let previous, _, _) = self else { return nil }
        self = .retiring(current: current, previous: previous)
        return previous
    }

    /// The retiring version has stopped: the rollout is complete.
    mutating func previousRetired() {
        if case .retiring(let current, _) = self { self = .idle(current: current) }
    }

    /// A version that failed during `ROLLOUT_WAIT`: the new one is dropped and the previous
    /// one serves alone again. Returns the version that failed, or nil outside a rollout.
    mutating func rollBack(_ failed: Proxy) -> Proxy? {
        guard case .bothServing(let current, let previous, _, _) = self else { return nil }
        if failed === current {
            self = .idle(current: previous)
            return current
        }
        if failed === previous {
            self = .idle(current: current)   // the old one went early: the rollout is complete
            return previous
        }
        return nil
    }

    /// A version given up after crashing again and again: nothing serves in its place. (One
    /// still draining — retiring, or abandoned — is stopped by whoever drains it.)
    mutating func remove(_ proxy: Proxy) {
        switch self {
        case .idle(let current) where current === proxy: self = .idle(current: nil)
        case .launching(let target, let current) where current === proxy: self = .launching(target: target, current: nil)
        case .retiring(let current, _) where current === proxy: self = .idle(current: nil)
        case .rollingBack(let serving, _) where serving === proxy: self = .idle(current: nil)
        default: break
        }
    }

    /// Whether `proxy` gets new calls (a retiring one is left alone: it is being stopped).
    func isServing(_ proxy: Proxy) -> Bool {
        serving.contains { $0 === proxy }
    }

    /// Puts `fresh` where `broken` was; false when `broken` no longer serves.
    mutating func replace(_ broken: Proxy, with fresh: Proxy) -> Bool {
        guard isServing(broken) else { return false }
        func swap(_ proxy: Proxy) -> Proxy { proxy === broken ? fresh : proxy }
        switch self {
        case .idle(let current?): self = .idle(current: swap(current))
        case .launching(let target, let current?): self = .launching(target: target, current: swap(current))
        case .bothServing(let current, let previous, let share, let endsAt):
            self = .bothServing(current: swap(current), previous: swap(previous), share: share, endsAt: endsAt)
        case .retiring(let current, let previous): self = .retiring(current: swap(current), previous: previous)
        case .rollingBack(let serving, let failed): self = .rollingBack(serving: swap(serving), failed: failed)
        case .idle(nil), .launching(_, nil), .stopped: return false
        }
        return true
    }

    /// Ends everything; returns the processes left to stop.
    mutating func stop() -> [Proxy] {
        defer { self = .stopped }
        return running
    }
}

/// What the rollout needs of a proxy handle: its version, and identity (`===`).
protocol RolloutMember: AnyObject, Sendable {
    var id: Int { get }
}

extension ServingProxy: RolloutMember {}
