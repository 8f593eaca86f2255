import Backprop

/// Adam with a rectified adaptive rate: PyTorch's `RAdam`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     g ← g + λ·θ   (or θ ← θ·(1 − γλ) when decoupled)
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,   m̂ = m/(1 − β₁ᵗ)
///     ρ∞ = 2/(1 − β₂) − 1,   ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
///     θ ← θ − γ·m̂·√(1 − β₂ᵗ)/(√v + ε) · r     if ρₜ > 5,  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
///     θ ← θ − γ·m̂                               otherwise
///
/// Its state per parameter is `"step"`, `"exp_avg"` and `"exp_avg_sq"`.
public final class RAdam<Scalar: TensorScalar>: Optimizer {
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
    /// Whether weight decay scales θ (as AdamW) instead of adding λθ to g.
    public let decoupledWeightDecay: Bool
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates an RAdam optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.001).
    ///   - beta1: β₁ in [0, 1) (default 0.9).
    ///   - beta2: β₂ in [0, 1) (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, non-negative (default 0).
    ///   - decoupledWeightDecay: decay θ directly, as AdamW (default false).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                            epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, decoupledWeightDecay: Bool = false) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1,
                  beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                  decoupledWeightDecay: decoupledWeightDecay)
    }

    /// Creates a RAdam optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and betas.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.001, beta1: Scalar = 0.9, beta2: Scalar = 0.999,
                epsilon: Scalar = 1e-8, weightDecay: Scalar = 0, decoupledWeightDecay: Bool = false) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: "RAdam")
        require((0..<1).contains(beta1) && (0..<1).contains(beta2), "RAdam: betas must be in [0, 1), but are \(beta1), \(beta2)")
        table = ParameterGroups(owner: "RAdam", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, betas: (beta1, beta2)))
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        self.decoupledWeightDecay = decoupledWeightDecay
        states = ParameterStates(owner: "RAdam", keys: ["step", "exp_avg", "exp_avg_sq"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"step"`, `"exp_avg"` and `"exp_avg_sq"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        let t = advanceStep(&state)
        let (lr, beta1, beta2, epsilon, lambda, decoupled) = (group.lr, group.beta1, group.beta2, epsilon, group.decay, decoupledWeightDecay)
        let correction1 = 1 - Scalar.pow(beta1, t), correction2 = 1 - Scalar.pow(beta2, t)
        let rhoInfinity = 2 / (1 - beta2) - 1
        let rho = rhoInfinity - 2 * t * Scalar.pow(beta2, t) / correction2
        let numerator: Scalar = (rho - 4) * (rho - 2) * rhoInfinity
        let rectification = (numerator / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho)).squareRoot()
        let adaptive = rho > 5
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["exp_avg", "exp_avg_sq"]) { p, g0, s in
            var g = g0
            if lambda != 0 { if decoupled { p *= 1 - lr * lambda } else { g += lambda * p } }
            s[0] += (1 - beta1) * (g - s[0])
            s[1] = s[1] * beta2 + (1 - beta2) * g * g
            let corrected = s[0] / correction1
            if adaptive {
                let rate = correction2.squareRoot() / (s[1].squareRoot() + epsilon)
                p -= corrected * lr * rate * rectification
            } else {
                p -= corrected * lr
            }
        }
    }
}
