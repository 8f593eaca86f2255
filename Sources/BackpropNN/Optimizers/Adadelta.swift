import Backprop

/// Steps scaled by the ratio of running RMS of updates and gradients: PyTorch's `Adadelta`.
///
/// For each parameter θ with gradient g:
///
///     g ← g + λ·θ
///     v ← ρ·v + (1 − ρ)·g²
///     Δ = √(u + ε)/√(v + ε) · g
///     u ← ρ·u + (1 − ρ)·Δ²
///     θ ← θ − γ·Δ
///
/// Its state per parameter is `"step"`, `"square_avg"` (v) and `"acc_delta"` (u).
public final class Adadelta<Scalar: TensorScalar>: Optimizer {
    /// The parameters this optimizer updates: every group's, in order.
    public var parameters: [Variable<Scalar>] { table.parameters }
    /// The parameter groups (PyTorch's `param_groups`), each hyperparameter filled in: set a group's values here.
    public var groups: [ParameterGroup<Scalar>] { get { table.groups } set { table.groups = newValue } }
    /// The first group's step size γ; setting it sets every group's. NaN or a negative rate stops with a message.
    public var learningRate: Scalar { get { table.learningRate } set { table.learningRate = newValue } }
    /// The first group's rate when the first schedule was made (PyTorch's `initial_lr`); setting it sets every group's.
    public var initialLearningRate: Scalar? { get { table.initialLearningRate } set { table.initialLearningRate = newValue } }
    /// The decay ρ of both running averages.
    public let rho: Scalar
    /// The ε inside both square roots.
    public let epsilon: Scalar
    /// The L2 weight decay λ.
    public let weightDecay: Scalar
    private var table: ParameterGroups<Scalar>
    private var states: ParameterStates<Scalar>

    /// Creates an Adadelta optimizer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - parameters: the variables to update.
    ///   - learningRate: γ (default 1).
    ///   - rho: ρ in [0, 1] (default 0.9).
    ///   - epsilon: ε (default 1e-6).
    ///   - weightDecay: λ, non-negative (default 0).
    public convenience init(parameters: [Variable<Scalar>], learningRate: Scalar = 1, rho: Scalar = 0.9, epsilon: Scalar = 1e-6,
                            weightDecay: Scalar = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters)], learningRate: learningRate, rho: rho,
                  epsilon: epsilon, weightDecay: weightDecay)
    }

    /// Creates an Adadelta optimizer over parameter groups; each group's nil hyperparameters take these defaults.
    ///
    /// A group may set its learning rate and weight decay.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Scalar = 1, rho: Scalar = 0.9, epsilon: Scalar = 1e-6,
                weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "epsilon": epsilon, "weight decay": weightDecay], in: "Adadelta")
        require((0...1).contains(rho), "Adadelta: rho must be in [0, 1], but is \(rho)")
        table = ParameterGroups(owner: "Adadelta", groups: groups, defaults: ParameterGroup(
            parameters: [], learningRate: learningRate, weightDecay: weightDecay))
        (self.rho, self.epsilon, self.weightDecay) = (rho, epsilon, weightDecay)
        states = ParameterStates(owner: "Adadelta", keys: ["step", "square_avg", "acc_delta"], count: table.parameters.count)
    }

    /// Updates every parameter that has a gradient.
    public func step() { states.step(table.groups) { update($0, $1, &$2, $3) } }

    /// The step count and each parameter's `"step"`, `"square_avg"` and `"acc_delta"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>,
                        _ group: ParameterGroup<Scalar>) {
        _ = advanceStep(&state)
        let (lr, rho, epsilon, lambda) = (group.lr, rho, epsilon, group.decay)
        updateElementwise(parameter, gradient: gradient, state: &state, keys: ["square_avg", "acc_delta"]) { p, g0, s in
            let g = g0 + lambda * p
            s[0] = s[0] * rho + (1 - rho) * g * g
            let delta = (s[1] + epsilon).squareRoot() / (s[0] + epsilon).squareRoot() * g
            s[1] = s[1] * rho + (1 - rho) * delta * delta
            p += -lr * delta
        }
    }
}
