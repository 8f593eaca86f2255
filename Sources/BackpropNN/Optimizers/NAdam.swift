import Backprop

/// Adam with Nesterov momentum and a momentum schedule: PyTorch's `NAdam`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     g ← g + λ·θ   (or θ ← θ·(1 − γλ) when decoupled)
///     μₜ = β₁·(1 − ½·0.96^(t·ψ)),   Πₜ = μ₁·…·μₜ               (momentum decay ψ)
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − γ·(1 − μₜ)/(1 − Πₜ) · g/(√v̂ + ε) − γ·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/(√v̂ + ε),   v̂ = v/(1 − β₂ᵗ)
///
/// Its state per parameter is `"step"`, `"mu_product"` (Πₜ, 0-d), `"exp_avg"` and `"exp_avg_sq"`.
public final class NAdam<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The decays β₁ and β₂ of the moments.
    public let beta1: Scalar, beta2: Scalar
    /// The ε added to the denominator.
    public let epsilon: Scalar
    /// The weight decay λ.
    public let weightDecay: Scalar
    /// The momentum decay ψ.
    public let momentumDecay: Scalar
    /// Whether weight decay scales θ (as AdamW) instead of adding λθ to g.
    public let decoupledWeightDecay: Bool
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates an NAdam optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.002).
    ///   - beta1: β₁ in [0, 1) (default 0.9).
    ///   - beta2: β₂ in [0, 1) (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, non-negative (default 0).
    ///   - momentumDecay: ψ, non-negative (default 0.004).
    ///   - decoupledWeightDecay: decay θ directly, as AdamW (default false).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.002, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                            epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, momentumDecay: Scalar = 0.004,
                            decoupledWeightDecay: Bool = false) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1,
                  beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, momentumDecay: momentumDecay,
                  decoupledWeightDecay: decoupledWeightDecay)
    }

    /// Creates a NAdam optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and betas.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.002, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, momentumDecay: Scalar = 0.004,
                decoupledWeightDecay: Bool = false) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay,
                            "momentum decay": momentumDecay], in: "NAdam")
        require((0..<1).contains(beta1) && (0..<1).contains(beta2), "NAdam: betas must be in [0, 1), but are \(beta1), \(beta2)")
        table = ParameterGroups(owner: "NAdam", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, betas: (beta1, beta2)))
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        self.momentumDecay = momentumDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        states = ParameterStates(owner: "NAdam", keys: ["step", "mu_product", "exp_avg", "exp_avg_sq"],
                                 scalarKeys: ["step", "mu_product"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"step"`, `"mu_product"`, `"exp_avg"` and `"exp_avg_sq"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        let t = advanceStep(&state)
        let (lr, beta1, beta2, epsilon, lambda) = (group.lr, group.beta1, group.beta2, epsilon, group.decay)
        let mu = beta1 * (1 - 0.5 * Scalar.pow(0.96, t * momentumDecay))
        let muNext = beta1 * (1 - 0.5 * Scalar.pow(0.96, (t + 1) * momentumDecay))
        let product = (state["mu_product"]?.scalar ?? 1) * mu
        state["mu_product"] = Tensor(product)
        let gradientScale = -lr * (1 - mu) / (1 - product)
        let momentScale = -lr * muNext / (1 - product * muNext)
        let correction = 1 - Scalar.pow(beta2, t)
        let decoupled = decoupledWeightDecay
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["exp_avg", "exp_avg_sq"]) { p, g0, s in
            var g = g0
            if lambda != 0 { if decoupled { p *= 1 - lr * lambda } else { g += lambda * p } }
            s[0] += (1 - beta1) * (g - s[0])
            s[1] = s[1] * beta2 + (1 - beta2) * g * g
            let denominator = (s[1] / correction).squareRoot() + epsilon
            p += gradientScale * (g / denominator)
            p += momentScale * (s[0] / denominator)
        }
    }
}
