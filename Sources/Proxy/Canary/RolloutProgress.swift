/// Where a progressive rollout stands, kept after it ends (until the next deploy) so its
/// verdicts and a rollback stay readable in `/stats` and on the dashboard.
public struct RolloutProgress: Sendable, Hashable, Codable {
    /// The new version's percent of calls at each step, with the implied 100 last.
    public var steps: [Int]
    /// The index of the step running (the first from the promotion on); nil once the rollout ended.
    public var step: Int? = 0
    public var stepSeconds: Double
    /// Each judged step's verdict, in order.
    public var verdicts: [StepVerdict] = []
    /// The new version failed (a step, or a crash) and the previous one serves alone again.
    public var rolledBack = false
    /// Every step passed and the new version took all calls.
    public var promoted = false

    public init(plan: RolloutPlan, stepSeconds: Double) {
        steps = plan.steps + [100]
        self.stepSeconds = stepSeconds
    }

    public init(steps: [Int], step: Int?, stepSeconds: Double, verdicts: [StepVerdict] = [], rolledBack: Bool = false, promoted: Bool = false) {
        self.steps = steps
        self.step = step
        self.stepSeconds = stepSeconds
        self.verdicts = verdicts
        self.rolledBack = rolledBack
        self.promoted = promoted
    }

    /// The steps after the one running, for the time left (the implied 100 takes none).
    var stepsAfterThis: Int { step.map { max(0, steps.count - 2 - $0) } ?? 0 }
}
