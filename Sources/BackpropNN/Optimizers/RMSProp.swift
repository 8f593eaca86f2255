import Backprop

/// RMSProp, optionally centered and with momentum: PyTorch's `RMSprop`.
///
/// For each parameter θ with gradient g:
///
///     g ← g + λ·θ                                  (weight decay λ)
///     v ← α·v + (1 − α)·g²                         (v₀ = 0)
///     ṽ ← v,   or, centered: a ← α·a + (1 − α)·g (a₀ = 0) and ṽ ← v − a²
///     u ← g / (√ṽ + ε)                             (ε outside the square root)
///     b ← μ·b + u,  θ ← θ − γ·b                    with momentum μ > 0 (b₀ = 0)
///     θ ← θ − γ·u                                  otherwise
///
/// Its state per parameter is `"square_avg"` (v), with `"grad_avg"` (a) when
/// centered and `"momentum_buffer"` (b) when μ > 0.
public final class RMSProp<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The smoothing constant α of the running averages.
    public let alpha: Scalar
    /// The ε added to the denominator, for stability.
    public let epsilon: Scalar
    /// The momentum factor μ; 0 turns momentum off.
    public let momentum: Scalar
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Scalar
    /// Whether to divide by an estimate of the gradient's variance rather than of its second moment.
    public let centered: Bool
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates an RMSProp optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.01).
    ///   - alpha: α (default 0.99).
    ///   - epsilon: ε (default 1e-8).
    ///   - momentum: μ, non-negative (default 0).
    ///   - weightDecay: λ, non-negative (default 0).
    ///   - centered: the centered variant (default false).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.01, alpha: Scalar = 0.99,
                            epsilon: Scalar = 1e-8, momentum: Scalar = 0, weightDecay: Scalar = 0, centered: Bool = false) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, alpha: alpha,
                  epsilon: epsilon, momentum: momentum, weightDecay: weightDecay, centered: centered)
    }

    /// Creates a RMSProp optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and momentum.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.01, alpha: Scalar = 0.99,
                epsilon: Scalar = 1e-8, momentum: Scalar = 0, weightDecay: Scalar = 0, centered: Bool = false) {
        requireNonNegative(["learning rate": learningRate, "alpha": alpha, "epsilon": epsilon,
                            "momentum": momentum, "weight decay": weightDecay], in: "RMSProp")
        table = ParameterGroups(owner: "RMSProp", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, momentum: momentum))
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.centered = centered
        var keys: Set<String> = ["square_avg"]
        if centered { keys.insert("grad_avg") }
        if momentum > 0 { keys.insert("momentum_buffer") }
        states = ParameterStates(owner: "RMSProp", keys: keys, count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"square_avg"`, `"grad_avg"` and `"momentum_buffer"`, as configured.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws {
        let keys = table.groups.flatMap { group in
            group.parameters.map { _ in Set(["square_avg"] + (centered ? ["grad_avg"] : []) + (group.mu > 0 ? ["momentum_buffer"] : [])) }
        }
        try states.load(state, for: parameters, keys: keys)
    }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        let g = addingWeightDecay(gradient, group.decay, of: parameter)
        let zeros = Tensor<Scalar>.zeros(parameter.shape)
        let squareAverage = alpha * (state["square_avg"] ?? zeros) + (1 - alpha) * g * g
        state["square_avg"] = squareAverage
        var variance = squareAverage
        if centered {
            let gradientAverage = alpha * (state["grad_avg"] ?? zeros) + (1 - alpha) * g
            state["grad_avg"] = gradientAverage
            variance = variance - gradientAverage * gradientAverage
        }
        var direction = g / (sqrt(variance) + epsilon)
        if group.mu > 0 {
            direction = group.mu * (state["momentum_buffer"] ?? zeros) + direction
            state["momentum_buffer"] = direction
        }
        parameter.value -= group.lr * direction
    }
}
