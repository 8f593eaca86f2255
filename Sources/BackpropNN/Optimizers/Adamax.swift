import Backprop

/// Adam with the infinity norm in place of v: PyTorch's `Adamax`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     g ← g + λ·θ
///     m ← β₁·m + (1 − β₁)·g,   u ← max(β₂·u, |g| + ε)
///     θ ← θ − γ/(1 − β₁ᵗ) · m/u
///
/// Its state per parameter is `"step"`, `"exp_avg"` (m) and `"exp_inf"` (u).
public final class Adamax<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Variable<Scalar>]
    /// The step size γ: non-negative.
    public var learningRate: Scalar { didSet { requireNonNegative(["learning rate": learningRate], in: "Adamax") } }
    /// The learning rate when the first schedule was attached (PyTorch's `initial_lr`).
    public var initialLearningRate: Scalar?
    /// The decays β₁ and β₂.
    public let beta1: Scalar, beta2: Scalar
    /// The ε added to |g|.
    public let epsilon: Scalar
    /// The L2 weight decay λ.
    public let weightDecay: Scalar
    private var states: ParameterStates<Scalar>

    /// Creates an Adamax optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.002).
    ///   - beta1: β₁ in [0, 1) (default 0.9).
    ///   - beta2: β₂ in [0, 1) (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, non-negative (default 0).
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.002, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                epsilon: Scalar = 1e-8, weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: "Adamax")
        require((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adamax: betas must be in [0, 1), but are \(beta1), \(beta2)")
        self.parameters = parameters
        self.learningRate = learningRate
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        states = ParameterStates(owner: "Adamax", keys: ["step", "exp_avg", "exp_inf"], count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(parameters) { update($0, $1, &$2) } }

    /// The step count and each parameter's `"step"`, `"exp_avg"` and `"exp_inf"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>) {
        let t = advanceStep(&state)
        let (beta1, beta2, epsilon, lambda) = (beta1, beta2, epsilon, weightDecay)
        let stepSize = learningRate / (1 - Scalar.pow(beta1, t))
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["exp_avg", "exp_inf"]) { p, g0, s in
            let g = g0 + lambda * p
            s[0] += (1 - beta1) * (g - s[0])
            s[1] = Swift.max(s[1] * beta2, Swift.abs(g) + epsilon)
            p += -stepSize * (s[0] / s[1])
        }
    }
}
