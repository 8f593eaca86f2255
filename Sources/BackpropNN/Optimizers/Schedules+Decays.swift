import Backprop

/// Multiplies the learning rate by γ at each milestone: PyTorch's `MultiStepLR`.
///
///     γₜ = γ₀ · gamma^(number of milestones ≤ t)
///
/// A milestone listed twice counts twice, as in PyTorch.
public final class MultiStepLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// The steps at which the rate decays, ascending.
    public let milestones: [Int]
    /// The factor applied at each milestone.
    public let gamma: Scalar

    /// Creates a schedule that decays `optimizer`'s initial learning rate at each milestone.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - milestones: the steps at which to decay, in any order.
    ///   - gamma: the decay factor (default 0.1).
    public init(optimizer: any Optimizer<Scalar>, milestones: [Int], gamma: Scalar = 0.1) {
        let sorted = milestones.sorted()
        (self.milestones, self.gamma) = (sorted, gamma)
        let bases = optimizer.recordInitialLearningRates()
        super.init(optimizer: optimizer) { step, group in
            let base = bases[group]
            return base * Scalar.pow(gamma, Scalar(sorted.count { $0 <= step }))
        }
    }
}

/// Decays the learning rate to 0 along a polynomial over a number of steps, then holds it: PyTorch's `PolynomialLR`.
///
///     γₜ = γ₀ · (1 − min(t, T) / T)^power
public final class PolynomialLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// T, the step at which the rate reaches 0.
    public let totalSteps: Int
    /// The power of the polynomial.
    public let power: Scalar

    /// Creates a schedule that decays `optimizer`'s initial learning rate to 0.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - totalSteps: T, positive (default 5, as PyTorch's `total_iters`).
    ///   - power: the power (default 1, a straight line).
    public init(optimizer: any Optimizer<Scalar>, totalSteps: Int = 5, power: Scalar = 1) {
        require(totalSteps > 0, "PolynomialLR: totalSteps must be positive, but is \(totalSteps)")
        (self.totalSteps, self.power) = (totalSteps, power)
        let bases = optimizer.recordInitialLearningRates()
        super.init(optimizer: optimizer) { step, group in
            let base = bases[group]
            return base * Scalar.pow(1 - Scalar(min(step, totalSteps)) / Scalar(totalSteps), power)
        }
    }
}

/// Raises the learning rate to a maximum and anneals it far below its start, in one cycle: PyTorch's `OneCycleLR`.
///
/// With γ_max the maximum rate, the cycle starts at γ_max / divisionFactor and
/// ends at that divided by finalDivisionFactor. It rises over the first
/// `startFraction · totalSteps − 1` steps and falls over the rest, each phase
/// along half a cosine (or a line):
///
///     γ = end + (start − end) · (1 + cos(π·p)) / 2,   p the fraction of the phase done
///
/// With `threePhase`, it falls back to the start rate over as many steps as it
/// rose, then anneals to the end rate, as fastai's one-cycle does. The rates
/// are set by the maximum, not by the optimizer's initial rate; each parameter
/// group may have its own maximum. Unlike
/// PyTorch's, it does not cycle momentum. Stepping past `totalSteps` stops
/// with a message, as PyTorch raises.
public final class OneCycleLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// How a phase moves from its start rate to its end rate: PyTorch's `anneal_strategy`.
    public enum Annealing: Sendable {
        /// Along half a cosine (PyTorch's `"cos"`).
        case cosine
        /// Along a straight line (PyTorch's `"linear"`).
        case linear
    }

    /// γ_max of each parameter group, its peak rate.
    public let maximumLearningRates: [Scalar]
    /// γ_max of the first parameter group.
    public var maximumLearningRate: Scalar { maximumLearningRates[0] }
    /// The number of steps in the cycle.
    public let totalSteps: Int

    /// Creates a one-cycle schedule for `optimizer` that takes every parameter group to the same peak.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer to drive.
    ///   - maximumLearningRate: γ_max, the peak.
    ///   - totalSteps: the steps in the cycle, positive.
    ///   - startFraction: the fraction of the cycle spent rising, in (0, 1) (default 0.3, PyTorch's `pct_start`).
    ///   - annealing: the shape of each phase (default ``Annealing/cosine``).
    ///   - divisionFactor: the start rate is γ_max / divisionFactor (default 25).
    ///   - finalDivisionFactor: the end rate is the start rate / finalDivisionFactor (default 10⁴).
    ///   - threePhase: fall back to the start rate before the final annealing (default false).
    public convenience init(optimizer: any Optimizer<Scalar>, maximumLearningRate: Scalar, totalSteps: Int,
                            startFraction: Scalar = 0.3, annealing: Annealing = .cosine, divisionFactor: Scalar = 25,
                            finalDivisionFactor: Scalar = 1e4, threePhase: Bool = false) {
        self.init(optimizer: optimizer, maximumLearningRates: Array(repeating: maximumLearningRate, count: optimizer.groups.count),
                  totalSteps: totalSteps, startFraction: startFraction, annealing: annealing, divisionFactor: divisionFactor,
                  finalDivisionFactor: finalDivisionFactor, threePhase: threePhase)
    }

    /// Creates a one-cycle schedule with a peak per parameter group, as PyTorch's `max_lr` list.
    ///
    /// - Parameter maximumLearningRates: each group's γ_max, one per group; the other parameters as above.
    public init(optimizer: any Optimizer<Scalar>, maximumLearningRates: [Scalar], totalSteps: Int,
                startFraction: Scalar = 0.3, annealing: Annealing = .cosine, divisionFactor: Scalar = 25,
                finalDivisionFactor: Scalar = 1e4, threePhase: Bool = false) {
        require(totalSteps > 0, "OneCycleLR: totalSteps must be positive, but is \(totalSteps)")
        require(startFraction > 0 && startFraction < 1, "OneCycleLR: startFraction must be in (0, 1), but is \(startFraction)")
        require(maximumLearningRates.count == optimizer.groups.count, "OneCycleLR: \(maximumLearningRates.count) maximum "
                + "learning rates for \(optimizer.groups.count) parameter groups")
        (self.maximumLearningRates, self.totalSteps) = (maximumLearningRates, totalSteps)
        // Each group's phases: the step each ends at and the rates it moves between; and the group's end rate.
        let phasesOfGroups = maximumLearningRates.map { maximumLearningRate -> (phases: [(end: Scalar, from: Scalar, to: Scalar)], end: Scalar) in
            let start = maximumLearningRate / divisionFactor
            let end = start / finalDivisionFactor
            let rise = startFraction * Scalar(totalSteps) - 1
            let phases: [(end: Scalar, from: Scalar, to: Scalar)] = threePhase
                ? [(rise, start, maximumLearningRate), (2 * startFraction * Scalar(totalSteps) - 2, maximumLearningRate, start),
                   (Scalar(totalSteps - 1), start, end)]
                : [(rise, start, maximumLearningRate), (Scalar(totalSteps - 1), maximumLearningRate, end)]
            return (phases: phases, end: end)
        }
        super.init(optimizer: optimizer) { step, group in
            let (phases, end) = phasesOfGroups[group]
            require(step <= totalSteps, "OneCycleLR: step \(step) is past totalSteps \(totalSteps)")
            var phaseStart: Scalar = 0
            for (index, phase) in phases.enumerated() {
                if Scalar(step) <= phase.end || index == phases.count - 1 {
                    let done = (Scalar(step) - phaseStart) / (phase.end - phaseStart)
                    switch annealing {
                    case .cosine: return phase.to + (phase.from - phase.to) / 2 * (Scalar.cos(Scalar.pi * done) + 1)
                    case .linear: return (phase.to - phase.from) * done + phase.from
                    }
                }
                phaseStart = phase.end
            }
            return end
        }
    }
}
