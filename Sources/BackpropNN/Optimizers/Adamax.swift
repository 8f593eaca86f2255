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
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The decays β₁ and β₂.
    public let beta1: Scalar, beta2: Scalar
    /// The ε added to |g|.
    public let epsilon: Scalar
    /// The L2 weight decay λ.
    public let weightDecay: Scalar
    private var table: ParameterGroups<Scalar>
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
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.002, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                            epsilon: Scalar = 1e-8, weightDecay: Scalar = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1,
                  beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// Creates an Adamax optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and betas.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.002, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                epsilon: Scalar = 1e-8, weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: "Adamax")
        require((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adamax: betas must be in [0, 1), but are \(beta1), \(beta2)")
        table = ParameterGroups(owner: "Adamax", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, betas: (beta1, beta2)))
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        states = ParameterStates(owner: "Adamax", keys: ["step", "exp_avg", "exp_inf"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"step"`, `"exp_avg"` and `"exp_inf"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        let t = advanceStep(&state)
        let (beta1, beta2, epsilon, lambda) = (group.beta1, group.beta2, epsilon, group.decay)
        let stepSize = group.lr / (1 - Scalar.pow(beta1, t))
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["exp_avg", "exp_inf"]) { p, g0, s in
            let g = g0 + lambda * p
            s[0] += (1 - beta1) * (g - s[0])
            s[1] = Swift.max(s[1] * beta2, Swift.abs(g) + epsilon)
            p += -stepSize * (s[0] / s[1])
        }
    }
}
