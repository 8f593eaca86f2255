import Backprop

/// Divides the learning rate when a metric stops improving: PyTorch's `ReduceLROnPlateau`.
///
/// Feed it the validation metric with ``step(metric:)`` once per epoch. A
/// metric improves on the best so far b when it is below b·(1 − threshold)
/// (relative mode; below b − threshold in absolute mode; above, when
/// maximizing). After more than `patience` steps in a row without
/// improvement it multiplies each parameter group's current rate by `factor`, down to
/// `minimumLearningRate`, skipping changes smaller than `epsilon`, and then
/// ignores `cooldown` steps. It does not set the rate when made, and it has
/// no closed form: ``learningRate`` is the optimizer's rate.
public final class ReduceLROnPlateau<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// Whether lower or higher metrics are better: PyTorch's `mode`.
    public enum Mode: Sendable {
        /// Lower is better (PyTorch's `"min"`), as for a loss.
        case minimize
        /// Higher is better (PyTorch's `"max"`), as for an accuracy.
        case maximize
    }

    /// How the threshold compares a metric with the best: PyTorch's `threshold_mode`.
    public enum ThresholdMode: Sendable {
        /// Improve by a fraction of the best (PyTorch's `"rel"`).
        case relative
        /// Improve by an amount (PyTorch's `"abs"`).
        case absolute
    }

    public let mode: Mode
    /// The factor applied to the rate at each reduction, in [0, 1).
    public let factor: Scalar
    /// The number of steps without improvement tolerated before a reduction.
    public let patience: Int
    public let threshold: Scalar
    public let thresholdMode: ThresholdMode
    /// The number of steps after a reduction during which steps without improvement are not counted.
    public let cooldown: Int
    /// The floor of the rate.
    public let minimumLearningRate: Scalar
    /// The smallest change of rate that is made.
    public let epsilon: Scalar
    /// The best metric so far; +∞ (−∞ when maximizing) before the first.
    public private(set) var best: Scalar
    /// The number of steps in a row without improvement (PyTorch's `num_bad_epochs`).
    public private(set) var badSteps = 0
    /// The steps of cooldown left.
    public private(set) var cooldownCounter = 0

    /// Creates a schedule that reduces `optimizer`'s rate on a plateau, with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - mode: whether lower or higher is better (default ``Mode/minimize``).
    ///   - factor: the reduction factor, in [0, 1) (default 0.1).
    ///   - patience: steps without improvement before a reduction, non-negative (default 10).
    ///   - threshold: the least improvement that counts (default 10⁻⁴).
    ///   - thresholdMode: relative or absolute (default ``ThresholdMode/relative``).
    ///   - cooldown: steps to wait after a reduction, non-negative (default 0).
    ///   - minimumLearningRate: the floor (default 0).
    ///   - epsilon: the smallest change made (default 10⁻⁸).
    public init(optimizer: any Optimizer<Scalar>, mode: Mode = .minimize, factor: Scalar = 0.1, patience: Int = 10,
                threshold: Scalar = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minimumLearningRate: Scalar = 0, epsilon: Scalar = 1e-8) {
        require(factor >= 0 && factor < 1, "ReduceLROnPlateau: factor must be in [0, 1), but is \(factor)")
        require(patience >= 0 && cooldown >= 0,
                "ReduceLROnPlateau: patience and cooldown must be non-negative, but are \(patience) and \(cooldown)")
        (self.mode, self.factor, self.patience, self.threshold) = (mode, factor, patience, threshold)
        (self.thresholdMode, self.cooldown, self.minimumLearningRate, self.epsilon) =
            (thresholdMode, cooldown, minimumLearningRate, epsilon)
        best = mode == .minimize ? .infinity : -.infinity
        super.init(optimizer: optimizer, rule: nil)
    }

    /// Whether `metric` improves on ``best`` by more than the threshold.
    private func improves(_ metric: Scalar) -> Bool {
        switch (mode, thresholdMode) {
        case (.minimize, .relative): metric < best * (1 - threshold)
        case (.minimize, .absolute): metric < best - threshold
        case (.maximize, .relative): metric > best * (1 + threshold)
        case (.maximize, .absolute): metric > best + threshold
        }
    }

    /// Advances one step with this step's metric, and reduces the optimizer's rate if it has plateaued.
    public func step(metric: Scalar) {
        currentStep += 1
        if improves(metric) {
            (best, badSteps) = (metric, 0)
        } else {
            badSteps += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badSteps = 0
        }
        if badSteps > patience {
            optimizer.learningRates = optimizer.learningRates.map { old in
                let new = Swift.max(old * factor, minimumLearningRate)
                return old - new > epsilon ? new : old
            }
            (cooldownCounter, badSteps) = (cooldown, 0)
        }
    }

    /// Stops with a message: this schedule needs the metric, so call ``step(metric:)``.
    override public func step() {
        preconditionFailure("ReduceLROnPlateau.step(): pass the metric, as step(metric:)")
    }

    /// The step, `"best"`, `"bad_steps"`, `"cooldown_counter"` and the first group's `"learning_rate"`,
    /// with each later group's as `"learning_rate.1"`, `"learning_rate.2"`, ….
    override public func state() -> ScheduleState<Scalar> {
        var values = ["best": best, "bad_steps": Scalar(badSteps), "cooldown_counter": Scalar(cooldownCounter)]
        for (index, rate) in optimizer.learningRates.enumerated() { values[Self.rateName(index)] = rate }
        return ScheduleState(step: currentStep, values: values)
    }

    /// The name of group `index`'s rate in a saved state: `"learning_rate"` for the first, as before groups.
    private static func rateName(_ index: Int) -> String { index == 0 ? "learning_rate" : "learning_rate.\(index)" }

    /// Resumes from a state saved by ``state()``, setting each group's rate as it was.
    ///
    /// - Throws: ``ScheduleStateError``, changing nothing, if a value is missing or a count is not a
    ///   non-negative whole number.
    override public func load(_ state: ScheduleState<Scalar>) throws {
        try check(state)
        let values = state.values
        currentStep = state.step
        best = values["best"]!
        badSteps = Int(values["bad_steps"]!)
        cooldownCounter = Int(values["cooldown_counter"]!)
        optimizer.learningRates = optimizer.learningRates.indices.map { values[Self.rateName($0)]! }
    }

    override func check(_ state: ScheduleState<Scalar>) throws {
        try super.check(state)
        let rateNames = optimizer.learningRates.indices.map(Self.rateName)
        for name in ["best", "bad_steps", "cooldown_counter"] + rateNames where state.values[name] == nil {
            throw ScheduleStateError("ReduceLROnPlateau: the saved state lacks \"\(name)\"")
        }
        for name in ["bad_steps", "cooldown_counter"] {
            let count = state.values[name]!
            guard count >= 0, count == count.rounded(), count < 1e9 else {
                throw ScheduleStateError("ReduceLROnPlateau: \"\(name)\" must be a non-negative whole number, but is \(count)")
            }
        }
        for name in rateNames {
            let rate = state.values[name]!
            guard rate >= 0 else {
                throw ScheduleStateError("ReduceLROnPlateau: \"\(name)\" must be non-negative, but is \(rate)")
            }
        }
    }
}
