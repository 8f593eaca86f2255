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
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The interpolation β₁ for the update's direction, and the decay β₂ of the momentum.
    public let beta1: Scalar, beta2: Scalar
    /// The decoupled weight decay λ.
    public let weightDecay: Scalar
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates a Lion optimizer with the paper's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 1e-4).
    ///   - beta1: β₁ in [0, 1] (default 0.9).
    ///   - beta2: β₂ in [0, 1] (default 0.99).
    ///   - weightDecay: λ, non-negative (default 0).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 1e-4, beta1: Scalar = 0.9, beta2: Scalar = 0.99,
                            weightDecay: Scalar = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, beta1: beta1,
                  beta2: beta2, weightDecay: weightDecay)
    }

    /// Creates a Lion optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and betas.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 1e-4, beta1: Scalar = 0.9, beta2: Scalar = 0.99,
                weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "weight decay": weightDecay], in: "Lion")
        require((0...1).contains(beta1) && (0...1).contains(beta2), "Lion: betas must be in [0, 1], but are \(beta1), \(beta2)")
        table = ParameterGroups(owner: "Lion", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, betas: (beta1, beta2)), betasInClosedRange: true)
        (self.beta1, self.beta2, self.weightDecay) = (beta1, beta2, weightDecay)
        states = ParameterStates(owner: "Lion", keys: ["exp_avg"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"exp_avg"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        let (lr, beta1, beta2, lambda) = (group.lr, group.beta1, group.beta2, group.decay)
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["exp_avg"]) { p, g, s in
            let c = beta1 * s[0] + (1 - beta1) * g
            let sign: Scalar = c > 0 ? 1 : c < 0 ? -1 : 0
            p -= lr * (sign + lambda * p)
            s[0] = beta2 * s[0] + (1 - beta2) * g
        }
    }
}
