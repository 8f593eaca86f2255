import Backprop

/// Steps scaled by the ratio of running RMS of updates and gradients: PyTorch's `Adadelta`.
///
/// For each parameter θ with gradient g:
///
///     g ← g + λ·θ
///     v ← ρ·v + (1 − ρ)·g²
///     Δ = √(u + ε)/√(v + ε) · g
///     u ← ρ·u + (1 − ρ)·Δ²
///     θ ← θ − γ·Δ
///
/// Its state per parameter is `"step"`, `"square_avg"` (v) and `"acc_delta"` (u).
public final class Adadelta<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Variable<Scalar>]
    /// The factor γ on Δ: non-negative.
    public var learningRate: Scalar { didSet { requireNonNegative(["learning rate": learningRate], in: "Adadelta") } }
    /// The learning rate when the first schedule was attached (PyTorch's `initial_lr`).
    public var initialLearningRate: Scalar?
    /// The decay ρ of both running averages.
    public let rho: Scalar
    /// The ε inside both square roots.
    public let epsilon: Scalar
    /// The L2 weight decay λ.
    public let weightDecay: Scalar
    private var states: ParameterStates<Scalar>

    /// Creates an Adadelta optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 1).
    ///   - rho: ρ in [0, 1] (default 0.9).
    ///   - epsilon: ε (default 1e-6).
    ///   - weightDecay: λ, non-negative (default 0).
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 1, rho: Scalar = 0.9, epsilon: Scalar = 1e-6,
                weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: "Adadelta")
        require((0...1).contains(rho), "Adadelta: rho must be in [0, 1], but is \(rho)")
        self.parameters = parameters
        self.learningRate = learningRate
        (self.rho, self.epsilon, self.weightDecay) = (rho, epsilon, weightDecay)
        states = ParameterStates(owner: "Adadelta", keys: ["step", "square_avg", "acc_delta"], count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(parameters) { update($0, $1, &$2) } }

    /// The step count and each parameter's `"step"`, `"square_avg"` and `"acc_delta"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>) {
        _ = advanceStep(&state)
        let (lr, rho, epsilon, lambda) = (learningRate, rho, epsilon, weightDecay)
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["square_avg", "acc_delta"]) { p, g0, s in
            let g = g0 + lambda * p
            s[0] = s[0] * rho + (1 - rho) * g * g
            let delta = (s[1] + epsilon).squareRoot() / (s[0] + epsilon).squareRoot() * g
            s[1] = s[1] * rho + (1 - rho) * delta * delta
            p += -lr * delta
        }
    }
}
