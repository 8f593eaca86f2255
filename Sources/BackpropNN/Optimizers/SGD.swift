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
    /// The parameters this optimizer updates.
    public let parameters: [Variable<Scalar>]
    /// The step size γ: non-negative; setting NaN or a negative rate stops with a message.
    public var learningRate: Scalar { didSet { requireNonNegative(["learning rate": learningRate], in: "SGD") } }
    /// The learning rate when the first schedule was attached (PyTorch's `initial_lr`), the base rate of every schedule.
    public var initialLearningRate: Scalar?
    /// The momentum factor μ; 0 turns momentum off.
    public let momentum: Scalar
    /// The dampening τ of the momentum buffer.
    public let dampening: Scalar
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// The L2 penalty λ added to the gradient.
    public let weightDecay: Scalar
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
    public init(parameters: [Variable<Scalar>], learningRate: Scalar = 0.001, momentum: Scalar = 0,
                dampening: Scalar = 0, nesterov: Bool = false, weightDecay: Scalar = 0) {
        requireNonNegative(["learning rate": learningRate, "momentum": momentum, "weight decay": weightDecay], in: "SGD")
        require(!nesterov || (momentum > 0 && dampening == 0),
                "SGD: Nesterov momentum requires a positive momentum and zero dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        states = ParameterStates(owner: "SGD", keys: momentum == 0 ? [] : ["momentum_buffer"], count: parameters.count)
    }

    /// Updates every parameter that has a gradient.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func step() { states.step(parameters, update) }

    /// The step count and each parameter's `"momentum_buffer"`.
    public func state() -> OptimizerState<Scalar> { states.saved }

    /// Restores a state saved by ``state()``; throws ``OptimizerStateError`` and changes nothing if it does not fit.
    public func load(_ state: OptimizerState<Scalar>) throws { try states.load(state, for: parameters) }

    private func update(_ parameter: Variable<Scalar>, _ gradient: Tensor<Scalar>, _ state: inout ParameterState<Scalar>) {
        var direction = addingWeightDecay(gradient, weightDecay, of: parameter)
        let (momentum, dampening, learningRate) = (momentum, dampening, learningRate)
        if momentum != 0 {
            // Taken out of the state while it is updated, so that the update runs in place.
            var buffer = direction
            if var previous = state.removeValue(forKey: "momentum_buffer") {
                previous.update(with: direction) { b, d in b = momentum * b + (1 - dampening) * d }
                buffer = previous
            }
            state["momentum_buffer"] = buffer
            direction = nesterov ? direction + momentum * buffer : buffer
        }
        parameter.value.update(with: direction) { p, d in p -= learningRate * d }
    }
}
