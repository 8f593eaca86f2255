import Backprop

/// Changes an optimizer's learning rate as training goes on, as PyTorch's `torch.optim.lr_scheduler` does.
///
/// Every schedule's base rate γ₀ is the optimizer's ``Optimizer/initialLearningRate``
/// (PyTorch's `initial_lr`): the rate it had when the first schedule was made
/// on it, never a rate that another schedule, made or stepped before, left
/// behind. Each parameter group has its own γ₀ and follows the schedule from it,
/// as in PyTorch. A schedule sets the optimizer's rates to their values at step 0 when it
/// is made. Each ``step()`` then advances one step (an epoch or a batch, as you
/// call it) and sets each group's rate to the closed form at the new step,
/// so rates do not drift however long the run. Call it after the optimizer's
/// `step()`, as in PyTorch. ``SequentialLR`` runs schedules one after another;
/// ``ReduceLROnPlateau``, which follows a metric, has no closed form.
/// The subclasses are the schedules.
public class LearningRateSchedule<Scalar: TensorScalar> {
    /// The optimizer whose learning rate this schedule sets.
    public let optimizer: any Optimizer<Scalar>
    /// γ₀ of each parameter group, in order: its initial learning rate.
    public let baseLearningRates: [Scalar]
    /// γ₀ of the first parameter group.
    public var baseLearningRate: Scalar { baseLearningRates[0] }
    /// The number of times ``step()`` has been called.
    public internal(set) var currentStep = 0
    private let rule: ((Int, Int) -> Scalar)?

    /// Drives `optimizer` by `rule`, which maps a step and a group's index to the group's learning rate,
    /// and sets the rates at step 0; with no rule, leaves the rates as they are.
    init(optimizer: any Optimizer<Scalar>, rule: ((Int, Int) -> Scalar)?) {
        self.optimizer = optimizer
        baseLearningRates = optimizer.recordInitialLearningRates()
        self.rule = rule
        if let rule { optimizer.learningRates = baseLearningRates.indices.map { rule(0, $0) } }
    }

    /// Whether the rate at each step has a closed form (every schedule but ``ReduceLROnPlateau``).
    var hasClosedForm: Bool { rule != nil }

    /// The first group's learning rate at step `step`, in closed form.
    public func learningRate(atStep step: Int) -> Scalar { learningRate(atStep: step, group: 0) }

    /// Each group's learning rate at step `step`, in closed form.
    public func learningRates(atStep step: Int) -> [Scalar] { baseLearningRates.indices.map { learningRate(atStep: step, group: $0) } }

    /// The learning rate of group `group` at step `step`, in closed form.
    func learningRate(atStep step: Int, group: Int) -> Scalar {
        guard let rule else {
            preconditionFailure("\(type(of: self)).learningRate(atStep: \(step)): the rate follows a metric and has no closed form")
        }
        return rule(step, group)
    }

    /// The first group's learning rate at ``currentStep``: the one the optimizer holds.
    public var learningRate: Scalar { learningRates[0] }

    /// Each group's learning rate at ``currentStep``: the ones the optimizer holds.
    public var learningRates: [Scalar] { rule == nil ? optimizer.learningRates : learningRates(atStep: currentStep) }

    /// Advances one step and sets each group's learning rate.
    public func step() { restore(step: currentStep + 1) }

    /// Moves to step `step` and sets each group's learning rate.
    func restore(step: Int) {
        currentStep = step
        optimizer.learningRates = learningRates
    }

    /// What the schedule needs to resume: its step, and for ``ReduceLROnPlateau`` its counters.
    public func state() -> ScheduleState<Scalar> { ScheduleState(step: currentStep) }

    /// Resumes from a state saved by ``state()``, setting the optimizer's learning rates as they were.
    ///
    /// - Throws: ``ScheduleStateError``, changing nothing, if `state` lacks a value this schedule needs
    ///   or its step is negative.
    public func load(_ state: ScheduleState<Scalar>) throws {
        try check(state)
        restore(step: state.step)
    }

    /// Throws ``ScheduleStateError`` if `state` cannot be loaded.
    func check(_ state: ScheduleState<Scalar>) throws {
        guard state.step >= 0 else {
            throw ScheduleStateError("\(type(of: self)): a saved step must be non-negative, but is \(state.step)")
        }
    }
}

/// What a schedule remembers between steps: its step count and, by name, any other numbers.
public struct ScheduleState<Scalar: TensorScalar>: Equatable, Sendable {
    /// The number of steps taken.
    public var step: Int
    /// Other numbers, such as ``ReduceLROnPlateau``'s `"best"`; empty for the closed-form schedules.
    public var values: [String: Scalar]

    public init(step: Int, values: [String: Scalar] = [:]) {
        self.step = step
        self.values = values
    }
}

/// A state that does not fit the schedule it is loaded into.
public struct ScheduleStateError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Multiplies the learning rate by γ every `stepSize` steps: PyTorch's `StepLR`.
///
///     γₜ = γ₀ · gamma^⌊t / stepSize⌋
public final class StepLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// The number of steps between decays.
    public let stepSize: Int
    /// The factor applied at each decay.
    public let gamma: Scalar

    /// Creates a schedule that decays `optimizer`'s initial learning rate.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - stepSize: the steps between decays, positive.
    ///   - gamma: the decay factor (default 0.1).
    public init(optimizer: any Optimizer<Scalar>, stepSize: Int, gamma: Scalar = 0.1) {
        require(stepSize > 0, "StepLR: stepSize must be positive, but is \(stepSize)")
        (self.stepSize, self.gamma) = (stepSize, gamma)
        let bases = optimizer.recordInitialLearningRates()
        super.init(optimizer: optimizer) { step, group in
            let base = bases[group]
            return base * Scalar.pow(gamma, Scalar(step / stepSize))
        }
    }
}

/// Multiplies the learning rate by γ every step: PyTorch's `ExponentialLR`.
///
///     γₜ = γ₀ · gammaᵗ
public final class ExponentialLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// The factor applied at each step.
    public let gamma: Scalar

    /// Creates a schedule that decays `optimizer`'s initial learning rate by `gamma` per step.
    public init(optimizer: any Optimizer<Scalar>, gamma: Scalar) {
        self.gamma = gamma
        let bases = optimizer.recordInitialLearningRates()
        super.init(optimizer: optimizer) { step, group in
            let base = bases[group]
            return base * Scalar.pow(gamma, Scalar(step))
        }
    }
}

/// Anneals the learning rate from γ₀ to a minimum along half a cosine: PyTorch's `CosineAnnealingLR`.
///
///     γₜ = η_min + (γ₀ − η_min) · (1 + cos(π·t / T_max)) / 2
///
/// The closed form, which PyTorch also gives; past T_max it rises again along the cosine.
public final class CosineAnnealingLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// T_max, the step at which the rate reaches its minimum.
    public let maximumSteps: Int
    /// η_min, the rate at step T_max.
    public let minimumLearningRate: Scalar

    /// Creates a schedule that anneals `optimizer`'s initial learning rate.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - maximumSteps: T_max, positive.
    ///   - minimumLearningRate: η_min (default 0).
    public init(optimizer: any Optimizer<Scalar>, maximumSteps: Int, minimumLearningRate: Scalar = 0) {
        require(maximumSteps > 0, "CosineAnnealingLR: maximumSteps must be positive, but is \(maximumSteps)")
        (self.maximumSteps, self.minimumLearningRate) = (maximumSteps, minimumLearningRate)
        let bases = optimizer.recordInitialLearningRates()
        super.init(optimizer: optimizer) { step, group in
            let base = bases[group]
            let cosine = Scalar.cos(Scalar.pi * Scalar(step) / Scalar(maximumSteps))
            return minimumLearningRate + (base - minimumLearningRate) * (1 + cosine) / 2
        }
    }
}

/// Ramps the learning rate linearly from a fraction of γ₀ up to γ₀, then holds it: PyTorch's `LinearLR` with end factor 1.
///
///     γₜ = γ₀ · (s + (1 − s) · min(t, W) / W)
///
/// where s is the start factor and W the number of warm-up steps.
public final class LinearWarmup<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// W, the step at which the rate reaches γ₀.
    public let warmupSteps: Int
    /// s, the fraction of γ₀ at step 0.
    public let startFactor: Scalar

    /// Creates a warm-up for `optimizer`'s initial learning rate, and sets the optimizer's rate to s·γ₀.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - warmupSteps: W, positive (default 5, as PyTorch's `total_iters`).
    ///   - startFactor: s in (0, 1] (default 1/3).
    public init(optimizer: any Optimizer<Scalar>, warmupSteps: Int = 5, startFactor: Scalar = 1 / 3) {
        require(warmupSteps > 0, "LinearWarmup: warmupSteps must be positive, but is \(warmupSteps)")
        require(startFactor > 0 && startFactor <= 1, "LinearWarmup: startFactor must be in (0, 1], but is \(startFactor)")
        (self.warmupSteps, self.startFactor) = (warmupSteps, startFactor)
        let bases = optimizer.recordInitialLearningRates()
        super.init(optimizer: optimizer) { step, group in
            let base = bases[group]
            return base * (startFactor + (1 - startFactor) * Scalar(min(step, warmupSteps)) / Scalar(warmupSteps))
        }
    }
}
