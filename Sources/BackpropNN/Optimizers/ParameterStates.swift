import Backprop

/// What an optimizer remembers about one parameter, under PyTorch's names (`"exp_avg"`, `"sum"`, …).
typealias ParameterState<Scalar: TensorScalar> = [String: Tensor<Scalar>]

/// An optimizer's step count and per-parameter state, with the checks that loading a saved state needs.
struct ParameterStates<Scalar: TensorScalar> {
    /// The optimizer's name, for error messages.
    private let owner: String
    /// The keys a parameter's state holds once that parameter has been updated.
    private let keys: Set<String>
    /// The keys whose tensors are 0-d, such as `"step"`, rather than shaped like the parameter.
    private let scalarKeys: Set<String>
    private var stepCount = 0
    private var perParameter: [ParameterState<Scalar>]

    /// Empty state for `count` parameters of an optimizer that keeps `keys` for each.
    init(owner: String, keys: Set<String>, scalarKeys: Set<String> = ["step"], count: Int) {
        self.owner = owner
        self.keys = keys
        self.scalarKeys = scalarKeys
        perParameter = Array(repeating: [:], count: count)
    }

    /// Counts one step and calls `update` for each parameter that has a gradient, with its group; the others are skipped.
    mutating func step(_ groups: [ParameterGroup<Scalar>],
                       _ update: (Variable<Scalar>, Tensor<Scalar>, inout ParameterState<Scalar>, ParameterGroup<Scalar>) -> Void) {
        stepCount += 1
        var index = 0
        for group in groups {
            for parameter in group.parameters {
                defer { index += 1 }
                guard let gradient = parameter.grad else { continue }
                update(parameter, gradient, &perParameter[index], group)
            }
        }
    }

    /// A copy, for checkpoints.
    var saved: OptimizerState<Scalar> { OptimizerState(step: stepCount, perParameter: perParameter) }

    /// Replaces the state with `state` if it fits `parameters`, and otherwise throws and changes nothing.
    ///
    /// Each parameter's dictionary must be empty (not yet updated) or hold exactly this
    /// optimizer's keys, each tensor shaped like its parameter (`"step"` and the other scalar keys: 0-d tensors).
    /// - Parameter keysOfParameter: each parameter's keys, where they differ by group (SGD's and RMSProp's momentum);
    ///   nil: the keys this was made with.
    mutating func load(_ state: OptimizerState<Scalar>, for parameters: [Variable<Scalar>],
                       keys keysOfParameter: [Set<String>]? = nil) throws {
        guard state.perParameter.count == parameters.count else {
            throw OptimizerStateError("\(owner): the state has \(state.perParameter.count) parameter entries, "
                                      + "but the optimizer has \(parameters.count) parameters")
        }
        guard state.step >= 0 else { throw OptimizerStateError("\(owner): the step count \(state.step) is negative") }
        for (index, (entry, parameter)) in zip(state.perParameter, parameters).enumerated() where !entry.isEmpty {
            let keys = keysOfParameter?[index] ?? keys
            guard Set(entry.keys) == keys else {
                throw OptimizerStateError("\(owner): parameter \(index) has state \(entry.keys.sorted()), "
                                          + "but this optimizer keeps \(keys.sorted())")
            }
            for (key, tensor) in entry.sorted(by: { $0.key < $1.key }) {
                let expected = scalarKeys.contains(key) ? [] : parameter.shape
                guard tensor.shape == expected else {
                    throw OptimizerStateError("\(owner): \"\(key)\" of parameter \(index) has shape \(tensor.shape), "
                                              + "but it must have shape \(expected)")
                }
            }
        }
        stepCount = state.step
        perParameter = state.perParameter
    }
}

/// The gradient with L2 weight decay added, `g + λ·θ`: PyTorch's `weight_decay` in SGD, Adam, RMSprop and Adagrad.
func addingWeightDecay<S: TensorScalar>(_ gradient: Tensor<S>, _ weightDecay: S, of parameter: Variable<S>) -> Tensor<S> {
    weightDecay == 0 ? gradient : gradient + weightDecay * parameter.value
}

/// Advances a parameter's own step count, PyTorch's `state["step"]`, and returns the new count.
///
/// The count is per parameter, as in PyTorch, so a parameter skipped for want of a
/// gradient does not advance its bias correction or learning-rate decay.
func advanceStep<S: TensorScalar>(_ state: inout ParameterState<S>) -> S {
    let step = (state["step"]?.scalar ?? 0) + 1
    state["step"] = Tensor(step)
    return step
}

/// Stops with a message if a hyperparameter is negative, as PyTorch's constructors raise.
func requireNonNegative<S: TensorScalar>(_ values: KeyValuePairs<String, S>, in owner: String) {
    for (name, value) in values where !(value >= 0) {
        programmerError("\(owner): \(name) must be non-negative, but is \(value)")
    }
}

/// Runs `body` on the elements of a parameter, its gradient and the state tensors named `keys`
/// (zeros where the state has none yet), and stores the results back.
///
/// - Parameter body: receives θ, g and the state values in the order of `keys`, as mutable scalars.
func updateElementwise<S: TensorScalar>(_ parameter: Variable<S>, gradient: Tensor<S>, state: inout ParameterState<S>,
                                        keys: [String], _ body: (inout S, S, inout [S]) -> Void) {
    var theta = parameter.value.scalars
    let g = gradient.scalars
    var columns = keys.map { state[$0]?.scalars ?? Array(repeating: 0, count: theta.count) }
    var row = [S](repeating: 0, count: keys.count)
    for i in theta.indices {
        for k in keys.indices { row[k] = columns[k][i] }
        body(&theta[i], g[i], &row)
        for k in keys.indices { columns[k][i] = row[k] }
    }
    parameter.value = Tensor(shape: parameter.shape, scalars: theta)
    for (key, column) in zip(keys, columns) { state[key] = Tensor(shape: parameter.shape, scalars: column) }
}
