import Backprop

/// Sign of an interpolated momentum, from "Symbolic Discovery of Optimization Algorithms" (Chen et al., 2023).
///
/// Not in `torch.optim`: this follows the paper. For each parameter θ with gradient g:
///
///     c = β₁·m + (1 − β₁)·g
///     θ ← θ − γ·(sign(c) + λ·θ)                    (sign(0) = 0)
///     m ← β₂·m + (1 − β₂)·g                         (m₀ = 0)
///
/// Every element moves by γ (plus decay), so γ is usually 3–10× smaller than AdamW's and λ larger.
/// Its state per parameter is `"exp_avg"` (m), as in the common PyTorch implementations.
public final class Lion<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Variable<Scalar>]
    /// The step size γ: non-negative.
    public var learningRate: Scalar { didSet { requireNonNegative(["learning rate": learningRate], in: "Lion") } }
    /// The learning rate when the first schedule was attached (PyTorch's `initial_lr`).
    public var initialLearningRate: Scalar?
    /// The interpolation β₁ for the update's direction, and the decay β₂ of the momentum.
    public let beta1: Scalar, beta2: Scalar
    /// The decoupled weight decay λ.
    public let weightDecay: Scalar
    private var states: ParameterStates<Scalar>

    /// Creates a Lion optimizer with the paper's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 1e-4).
    ///   - beta1: β₁ in [0, 1] (default 0.9).
    ///   - beta2: β₂ in [0, 1] (default 0.99).
    ///   - weightDecay: λ, non-negative (default 0).
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 1e-4, beta1: Scalar = 0.9, beta2: Scalar = 0.99,
                weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "weight decay": weightDecay], in: "Lion")
        require((0...1).contains(beta1) && (0...1).contains(beta2), "Lion: betas must be in [0, 1], but are \(beta1), \(beta2)")
        self.parameters = parameters
        self.learningRate = learningRate
        (self.beta1, self.beta2, self.weightDecay) = (beta1, beta2, weightDecay)
        states = ParameterStates(owner: "Lion", keys: ["exp_avg"], count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(parameters) { update($0, $1, &$2) } }

    /// The step count and each parameter's `"exp_avg"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>) {
        let (lr, beta1, beta2, lambda) = (learningRate, beta1, beta2, weightDecay)
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["exp_avg"]) { p, g, s in
            let c = beta1 * s[0] + (1 - beta1) * g
            let sign: Scalar = c > 0 ? 1 : c < 0 ? -1 : 0
            p -= lr * (sign + lambda * p)
            s[0] = beta2 * s[0] + (1 - beta2) * g
        }
    }
}
