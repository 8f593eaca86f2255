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
/// With `amsgrad`, v in the denominator is the largest v so far, kept as `"max_exp_avg_sq"`.
/// Its state per parameter is `"exp_avg"` (m), `"exp_avg_sq"` (v) and `"step"` (t, a 0-d tensor):
/// t counts that parameter's own updates, so a parameter without a gradient keeps its t.
/// For weight decay that does not pass through m and v, use ``AdamW``, a subclass, as in PyTorch.
public class Adam<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The default decay β₁ of the gradient's running average. Each group's is in ``groups``.
    public let beta1: Scalar
    /// The default decay β₂ of the squared gradient's running average. Each group's is in ``groups``.
    public let beta2: Scalar
    /// The ε added to the denominator, for stability.
    public let epsilon: Scalar
    /// The default weight decay λ: an L2 term in the gradient here, decoupled in ``AdamW``. Each group's is in ``groups``.
    public let weightDecay: Scalar
    /// Whether the denominator uses the largest v so far (AMSGrad), kept as `"max_exp_avg_sq"`.
    public let amsgrad: Bool
    private var table: ParameterGroups<Scalar>
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
    ///   - amsgrad: divide by √v̂ₘₐₓ, the largest v so far, bias-corrected: AMSGrad (default false).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9,
                            beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, amsgrad: Bool = false) {
        self.init(name: "Adam", groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1,
                  beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Creates an Adam optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and betas.
    public convenience init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9,
                            beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, amsgrad: Bool = false) {
        self.init(name: "Adam", groups: groups, learningRate: learningRate, beta1: beta1, beta2: beta2,
                  epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    init(name: String, groups: [ParameterGroup<Scalar>], learningRate: Scalar, beta1: Scalar, beta2: Scalar,
         epsilon: Scalar, weightDecay: Scalar, amsgrad: Bool) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: name)
        require((0..<1).contains(beta1) && (0..<1).contains(beta2), "\(name): betas must be in [0, 1), but are \(beta1), \(beta2)")
        table = ParameterGroups(owner: name, groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, betas: (beta1, beta2)))
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        states = ParameterStates(owner: name, keys: Set(["exp_avg", "exp_avg_sq", "step"] + (amsgrad ? ["max_exp_avg_sq"] : [])),
                                 count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func step() { states.step(table.groups) { update($0, gradient: $1, state: &$2, group: $3) } }

    /// The step count and each parameter's `"exp_avg"`, `"exp_avg_sq"` and `"step"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    /// One parameter's update: the L2 term, then the moments and the step.
    func update(_ parameter: Variable<Scalar>, gradient: Tensor<Scalar>, state: inout ParameterState<Scalar>,
                group: ParameterGroup<Scalar>) {
        moveAlongMoments(parameter, gradient: addingWeightDecay(gradient, group.decay, of: parameter), state: &state, group: group)
    }

    /// Updates the moments with `gradient` and steps `parameter` along them, with bias correction.
    /// Specialised: `update` is dispatched dynamically, so `step()`'s specialisation does not reach here.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    final func moveAlongMoments(_ parameter: Variable<Scalar>, gradient: Tensor<Scalar>, state: inout ParameterState<Scalar>,
                                group: ParameterGroup<Scalar>) {
        let t = advanceStep(&state)
        let (beta1, beta2, epsilon, learningRate) = (group.beta1, group.beta2, epsilon, group.lr)
        // One pass over m, v and θ, in place: the moments are taken out of the state while they change.
        var m = state.removeValue(forKey: "exp_avg") ?? .zeros(parameter.shape)
        var v = state.removeValue(forKey: "exp_avg_sq") ?? .zeros(parameter.shape)
        let stepSize = learningRate / (1 - Scalar.pow(beta1, t))
        let correction = (1 - Scalar.pow(beta2, t)).squareRoot()
        if amsgrad {
            m.update(with: gradient) { m, g in m = beta1 * m + (1 - beta1) * g }
            v.update(with: gradient) { v, g in v = beta2 * v + (1 - beta2) * g * g }
            var vMax = state.removeValue(forKey: "max_exp_avg_sq") ?? .zeros(parameter.shape)
            vMax.update(with: v) { vMax, v in vMax = Swift.max(vMax, v) }
            parameter.value.update(with: m, vMax) { p, m, v in p -= stepSize * m / (v.squareRoot() / correction + epsilon) }
            state["max_exp_avg_sq"] = vMax
        } else {
            Tensor.update(&m, &v, &parameter.value, with: gradient) { m, v, p, g in
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                p -= stepSize * m / (v.squareRoot() / correction + epsilon)
            }
        }
        state["exp_avg"] = m
        state["exp_avg_sq"] = v
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
public final class AdamW<Scalar: TensorScalar>: Adam<Scalar> {
    /// Creates an AdamW optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.001).
    ///   - beta1: β₁ in [0, 1) (default 0.9).
    ///   - beta2: β₂ in [0, 1) (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, non-negative (default 0.01).
    ///   - amsgrad: divide by the largest v so far: AMSGrad (default false).
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9,
                beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0.01, amsgrad: Bool = false) {
        super.init(name: "AdamW", groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1,
                   beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Creates an AdamW optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and betas: the usual recipe gives
    /// biases and norms a group with weight decay 0.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9,
                beta2: Scalar = 0.999, epsilon: Scalar = 1e-8, weightDecay: Scalar = 0.01, amsgrad: Bool = false) {
        super.init(name: "AdamW", groups: groups, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// One parameter's update: the decoupled decay θ ← θ·(1 − γλ), then the moments and the step.
    override func update(_ parameter: Variable<Scalar>, gradient: Tensor<Scalar>, state: inout ParameterState<Scalar>,
                         group: ParameterGroup<Scalar>) {
        if group.decay != 0 { parameter.value = parameter.value * (1 - group.lr * group.decay) }
        moveAlongMoments(parameter, gradient: gradient, state: &state, group: group)
    }
}
