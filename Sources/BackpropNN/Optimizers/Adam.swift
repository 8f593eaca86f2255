import Backprop

/// Adam with L2 weight decay added to the gradient: PyTorch's `Adam`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     g ← g + λ·θ                                      (weight decay λ)
///     m ← β₁·m + (1 − β₁)·g                            (m₀ = 0)
///     v ← β₂·v + (1 − β₂)·g²                           (v₀ = 0)
///     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// That is θ − γ·m̂/(√v̂ + ε) with the bias-corrected m̂ and v̂, computed in PyTorch's order.
/// Its state per parameter is `"exp_avg"` (m), `"exp_avg_sq"` (v) and `"step"` (t, a 0-d tensor):
/// t counts that parameter's own updates, so a parameter without a gradient keeps its t.
/// For weight decay that does not pass through m and v, use ``AdamW``.
public final class Adam<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Variable<Scalar>]
    /// The step size γ.
    public var learningRate: Scalar
    /// The decay β₁ of the gradient's running average.
    public let beta1: Scalar
    /// The decay β₂ of the squared gradient's running average.
    public let beta2: Scalar
    /// The ε added to the denominator, for stability.
    public let epsilon: Scalar
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Scalar
    private var states: ParameterStates<Scalar>

    /// Creates an Adam optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.001).
    ///   - beta1: β₁ in [0, 1) (default 0.9).
    ///   - beta2: β₂ in [0, 1) (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, non-negative (default 0).
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9,
                beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0) {
        checkAdamHyperparameters(learningRate, beta1, beta2, epsilon, weightDecay, in: "Adam")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        states = ParameterStates(owner: "Adam", keys: adamKeys, count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(parameters, update) }

    /// The step count and each parameter's `"exp_avg"`, `"exp_avg_sq"` and `"step"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>) {
        adamUpdate(parameter, addingWeightDecay(gradient, weightDecay, of: parameter), &state,
                   learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
}

/// Adam with decoupled weight decay: PyTorch's `AdamW`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     θ ← θ·(1 − γ·λ)                                  (weight decay λ, applied to θ, not to g)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// Its state per parameter is `"exp_avg"`, `"exp_avg_sq"` and `"step"`, as ``Adam``'s.
public final class AdamW<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Variable<Scalar>]
    /// The step size γ.
    public var learningRate: Scalar
    /// The decay β₁ of the gradient's running average.
    public let beta1: Scalar
    /// The decay β₂ of the squared gradient's running average.
    public let beta2: Scalar
    /// The ε added to the denominator, for stability.
    public let epsilon: Scalar
    /// The decoupled weight decay λ: each step multiplies θ by 1 − γ·λ.
    public let weightDecay: Scalar
    private var states: ParameterStates<Scalar>

    /// Creates an AdamW optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.001).
    ///   - beta1: β₁ in [0, 1) (default 0.9).
    ///   - beta2: β₂ in [0, 1) (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, non-negative (default 0.01).
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9,
                beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0.01) {
        checkAdamHyperparameters(learningRate, beta1, beta2, epsilon, weightDecay, in: "AdamW")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        states = ParameterStates(owner: "AdamW", keys: adamKeys, count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(parameters, update) }

    /// The step count and each parameter's `"exp_avg"`, `"exp_avg_sq"` and `"step"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>) {
        parameter.value = parameter.value * (1 - learningRate * weightDecay)
        adamUpdate(parameter, gradient, &state, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
}

/// The state keys of Adam and AdamW, as PyTorch names them.
private let adamKeys: Set<String> = ["exp_avg", "exp_avg_sq", "step"]

/// Adam's moment update and step, shared by ``Adam`` and ``AdamW``; `gradient` already carries any L2 term.
private func adamUpdate<S: TensorScalar>(_ parameter: Variable<S>, _ gradient: Tensor<S>, _ state: inout ParameterState<S>,
                                         learningRate: S, beta1: S, beta2: S, epsilon: S) {
    let t = advanceStep(&state)
    let zeros = Tensor<S>.zeros(parameter.shape)
    let m = beta1 * (state["exp_avg"] ?? zeros) + (1 - beta1) * gradient
    let v = beta2 * (state["exp_avg_sq"] ?? zeros) + (1 - beta2) * gradient * gradient
    state["exp_avg"] = m
    state["exp_avg_sq"] = v
    let stepSize = learningRate / (1 - S.pow(beta1, t))
    let denominator = sqrt(v) / (1 - S.pow(beta2, t)).squareRoot() + epsilon
    parameter.value -= stepSize * m / denominator
}

/// Stops with a message on hyperparameters PyTorch's Adam rejects.
private func checkAdamHyperparameters<S: TensorScalar>(_ learningRate: S, _ beta1: S, _ beta2: S, _ epsilon: S,
                                                       _ weightDecay: S, in owner: String) {
    requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: owner)
    precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "\(owner): betas must be in [0, 1), but are \(beta1), \(beta2)")
}
