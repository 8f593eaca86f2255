import Backprop

/// Stochastic gradient descent, optionally with momentum, Nesterov momentum and L2 weight decay: PyTorch's `SGD`.
///
/// For each parameter θ with gradient g, at its t-th update:
///
///     g ← g + λ·θ                                  (weight decay λ)
///     b ← g            if t = 1                     (momentum μ ≠ 0)
///     b ← μ·b + (1 − τ)·g   otherwise              (dampening τ)
///     g ← g + μ·b      with Nesterov, else g ← b
///     θ ← θ − γ·g                                  (learning rate γ)
///
/// The momentum buffer starts as the first gradient itself, undampened, as in PyTorch.
/// Its state is `"momentum_buffer"` per parameter, kept only when μ ≠ 0.
public final class SGD<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The default momentum factor μ; 0 turns momentum off. Each group's is in ``groups``.
    public let momentum: Scalar
    /// The dampening τ of the momentum buffer.
    public let dampening: Scalar
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// The default L2 penalty λ added to the gradient. Each group's is in ``groups``.
    public let weightDecay: Scalar
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates an SGD optimizer.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ. PyTorch's `SGD` now requires `lr`; 0.001 is the default
    ///     it had until then and the one chosen here.
    ///   - momentum: μ, non-negative (default 0, no momentum).
    ///   - dampening: τ (default 0).
    ///   - nesterov: Nesterov momentum (default false); it requires μ > 0 and τ = 0.
    ///   - weightDecay: λ, non-negative (default 0).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, momentum: Scalar = 0,
                            dampening: Scalar = 0, nesterov: Bool = false, weightDecay: Scalar = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, nesterov: nesterov, weightDecay: weightDecay)
    }

    /// Creates an SGD optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate, weight decay and momentum. Nesterov momentum needs
    /// the default μ > 0, as PyTorch checks its defaults.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 0.001, momentum: Scalar = 0,
                dampening: Scalar = 0, nesterov: Bool = false, weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "momentum": momentum, "weight decay": weightDecay], in: "SGD")
        require(!nesterov || (momentum > 0 && dampening == 0),
                "SGD: Nesterov momentum requires a positive momentum and zero dampening")
        table = ParameterGroups(owner: "SGD", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay, momentum: momentum))
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        states = ParameterStates(owner: "SGD", keys: ["momentum_buffer"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func step() { states.step(table.groups, update) }

    /// The step count and each parameter's `"momentum_buffer"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws {
        let keys = table.groups.flatMap { group in group.parameters.map { _ in group.mu == 0 ? [] : Set(["momentum_buffer"]) } }
        try states.load(state, for: parameters, keys: keys)
    }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        var direction = addingWeightDecay(gradient, group.decay, of: parameter)
        let (momentum, dampening, learningRate) = (group.mu, dampening, group.lr)
        if momentum != 0 {
            // Taken out of the state while it is updated, so that the update runs in place.
            guard var buffer = state.removeValue(forKey: "momentum_buffer") else {
                state["momentum_buffer"] = direction    // the first step: the buffer is the gradient itself
                direction = nesterov ? direction + momentum * direction : direction
                parameter.value.update(with: direction) { p, d in p -= learningRate * d }
                return
            }
            defer { state["momentum_buffer"] = buffer }
            if !nesterov {
                // The buffer and the parameter in one pass.
                Tensor.update(&buffer, &parameter.value, with: direction) { b, p, d in
                    b = momentum * b + (1 - dampening) * d
                    p -= learningRate * b
                }
                return
            }
            buffer.update(with: direction) { b, d in b = momentum * b + (1 - dampening) * d }
            direction = direction + momentum * buffer
        }
        parameter.value.update(with: direction) { p, d in p -= learningRate * d }
    }
}
