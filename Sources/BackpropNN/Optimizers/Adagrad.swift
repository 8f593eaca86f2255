import Backprop

/// Adagrad, with learning-rate decay and L2 weight decay: PyTorch's `Adagrad`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     γ̃ ← γ / (1 + (t − 1)·η)                      (learning-rate decay η)
///     g ← g + λ·θ                                  (weight decay λ)
///     s ← s + g²                                   (s₀ = the initial accumulator value)
///     θ ← θ − γ̃ · g / (√s + ε)
///
/// Its state per parameter is `"sum"` (s) and `"step"` (t, a 0-d tensor): t counts that
/// parameter's own updates, so a parameter without a gradient keeps its t.
public final class Adagrad<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The learning-rate decay η.
    public let learningRateDecay: Scalar
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Scalar
    /// The value s₀ that every element of the sum of squares starts from.
    public let initialAccumulatorValue: Scalar
    /// The ε added to the denominator, for stability.
    public let epsilon: Scalar
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates an Adagrad optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 0.01).
    ///   - learningRateDecay: η, non-negative (default 0).
    ///   - weightDecay: λ, non-negative (default 0).
    ///   - initialAccumulatorValue: s₀, non-negative (default 0).
    ///   - epsilon: ε (default 1e-10).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.01, learningRateDecay: Scalar = 0,
                            weightDecay: Scalar = 0, initialAccumulatorValue: Scalar = 0, epsilon: Scalar = 1e-10) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate,
                  learningRateDecay: learningRateDecay, weightDecay: weightDecay,
                  initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon)
    }

    /// Creates an Adagrad optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate and weight decay.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.01, learningRateDecay: Scalar = 0,
                weightDecay: Scalar = 0, initialAccumulatorValue: Scalar = 0, epsilon: Scalar = 1e-10) {
        requireNonNegative(["learning rate": learningRate, "learning rate decay": learningRateDecay,
                            "weight decay": weightDecay, "initial accumulator value": initialAccumulatorValue,
                            "epsilon": epsilon], in: "Adagrad")
        table = ParameterGroups(owner: "Adagrad", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay))
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        states = ParameterStates(owner: "Adagrad", keys: ["sum", "step"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"sum"` and `"step"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        let t = advanceStep(&state)
        let decayedRate = group.lr / (1 + (t - 1) * learningRateDecay)
        let g = addingWeightDecay(gradient, group.decay, of: parameter)
        let sum = (state["sum"] ?? Tensor(repeating: initialAccumulatorValue, shape: parameter.shape)) + g * g
        state["sum"] = sum
        parameter.value -= decayedRate * g / (sqrt(sum) + epsilon)
    }
}
