import Backprop

/// Changes an optimizer's learning rate as training goes on, as PyTorch's `torch.optim.lr_scheduler` does.
///
/// A schedule reads the optimizer's learning rate once, when it is made, as
/// its base rate γ₀, and sets the optimizer's rate to its value at step 0.
/// Each ``step()`` then advances one step (an epoch or a batch, as you call
/// it) and sets the optimizer's rate to the closed form at the new step, so
/// rates do not drift however long the run. Call it after the optimizer's
/// `step()`, as in PyTorch. The subclasses below are the schedules.
public class LearningRateSchedule<Scalar: TensorScalar> {
    /// The optimizer whose learning rate this schedule sets.
    public let optimizer: any Optimizer<Scalar>
    /// γ₀, the optimizer's learning rate when the schedule was made.
    public let baseLearningRate: Scalar
    /// The number of times ``step()`` has been called.
    public private(set) var currentStep = 0
    private let rule: (Int) -> Scalar

    /// Drives `optimizer` by `rule`, which maps a step to its learning rate.
    init(optimizer: any Optimizer<Scalar>, rule: @escaping (Int) -> Scalar) {
        self.optimizer = optimizer
        baseLearningRate = optimizer.learningRate
        self.rule = rule
        optimizer.learningRate = rule(0)
    }

    /// The learning rate at step `step`, in closed form.
    public func learningRate(atStep step: Int) -> Scalar { rule(step) }

    /// The learning rate at ``currentStep``: the one the optimizer holds.
    public var learningRate: Scalar { rule(currentStep) }

    /// Advances one step and sets the optimizer's learning rate.
    public func step() { restore(step: currentStep + 1) }

    /// Moves to step `step`, saved by a checkpoint, and sets the optimizer's learning rate.
    func restore(step: Int) {
        currentStep = step
        optimizer.learningRate = learningRate
    }
}

/// Multiplies the learning rate by γ every `stepSize` steps: PyTorch's `StepLR`.
///
///     γₜ = γ₀ · gamma^⌊t / stepSize⌋
public final class StepLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// The number of steps between decays.
    public let stepSize: Int
    /// The factor applied at each decay.
    public let gamma: Scalar

    /// Creates a schedule that decays `optimizer`'s current learning rate.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - stepSize: the steps between decays, positive.
    ///   - gamma: the decay factor (default 0.1).
    public init(optimizer: any Optimizer<Scalar>, stepSize: Int, gamma: Scalar = 0.1) {
        require(stepSize > 0, "StepLR: stepSize must be positive, but is \(stepSize)")
        (self.stepSize, self.gamma) = (stepSize, gamma)
        let base = optimizer.learningRate
        super.init(optimizer: optimizer) { step in base * Scalar.pow(gamma, Scalar(step / stepSize)) }
    }
}

/// Multiplies the learning rate by γ every step: PyTorch's `ExponentialLR`.
///
///     γₜ = γ₀ · gammaᵗ
public final class ExponentialLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// The factor applied at each step.
    public let gamma: Scalar

    /// Creates a schedule that decays `optimizer`'s current learning rate by `gamma` per step.
    public init(optimizer: any Optimizer<Scalar>, gamma: Scalar) {
        self.gamma = gamma
        let base = optimizer.learningRate
        super.init(optimizer: optimizer) { step in base * Scalar.pow(gamma, Scalar(step)) }
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

    /// Creates a schedule that anneals `optimizer`'s current learning rate.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - maximumSteps: T_max, positive.
    ///   - minimumLearningRate: η_min (default 0).
    public init(optimizer: any Optimizer<Scalar>, maximumSteps: Int, minimumLearningRate: Scalar = 0) {
        require(maximumSteps > 0, "CosineAnnealingLR: maximumSteps must be positive, but is \(maximumSteps)")
        (self.maximumSteps, self.minimumLearningRate) = (maximumSteps, minimumLearningRate)
        let base = optimizer.learningRate
        super.init(optimizer: optimizer) { step in
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

    /// Creates a warm-up for `optimizer`'s current learning rate, and sets the optimizer's rate to s·γ₀.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - warmupSteps: W, positive (default 5, as PyTorch's `total_iters`).
    ///   - startFactor: s in (0, 1] (default 1/3).
    public init(optimizer: any Optimizer<Scalar>, warmupSteps: Int = 5, startFactor: Scalar = 1 / 3) {
        require(warmupSteps > 0, "LinearWarmup: warmupSteps must be positive, but is \(warmupSteps)")
        require(startFactor > 0 && startFactor <= 1, "LinearWarmup: startFactor must be in (0, 1], but is \(startFactor)")
        (self.warmupSteps, self.startFactor) = (warmupSteps, startFactor)
        let base = optimizer.learningRate
        super.init(optimizer: optimizer) { step in
            base * (startFactor + (1 - startFactor) * Scalar(min(step, warmupSteps)) / Scalar(warmupSteps))
        }
    }
}
