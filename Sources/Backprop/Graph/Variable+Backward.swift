extension Variable {
    /// Backpropagates from this variable, adding ∂self/∂leaf to each leaf's ``grad``.
    ///
    /// - Parameters:
    ///   - seed: the gradient of the final result with respect to this variable,
    ///     shaped like it; nil means 1, for a variable holding one element.
    ///   - retainGraph: keep the recorded graph for another backward call.
    ///     Otherwise each interior node releases its record, and with it the
    ///     inputs and VJP it held.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func backward(seed: Tensor<Scalar>? = nil, retainGraph: Bool = false) {
        let seed = checkedSeed(seed, op: "backward")
        let leaves = sweep(seed: Variable(seed), targets: [], createGraph: false, retainGraph: retainGraph)
        for (leaf, gradient) in leaves {
            leaf.grad = leaf.grad.map { $0 + gradient.value } ?? gradient.value
        }
    }

    /// Validates a seed for a sweep from this variable, defaulting to 1 for one-element values.
    func checkedSeed(_ seed: Tensor<Scalar>?, op: String) -> Tensor<Scalar> {
        if case .released(let name) = origin {
            fatalError("\(op): the graph behind this '\(name)' result was freed by an earlier backward; "
                       + "pass retainGraph: true to that call to backpropagate through it twice")
        }
        guard requiresGrad else {
            fatalError("\(op): the variable does not require a gradient: no input requires one, or recording was off")
        }
        guard let seed else {
            guard value.count == 1 else {
                fatalError("\(op): a seed is needed for a result of shape \(describe(shape)); only one-element results default to 1")
            }
            return Tensor(shape: shape, scalars: [1])
        }
        guard seed.shape == shape else {
            fatalError("\(op): seed of shape \(describe(seed.shape)) for a result of shape \(describe(shape))")
        }
        return seed
    }

    /// The reverse sweep. Returns the gradient reaching each leaf that requires one,
    /// and each of `targets` (leaf or not), in visiting order.
    ///
    /// Gradients wait in each node's `pendingGradient` until the node is visited, so the
    /// sweep needs no dictionary; a graph is therefore swept by one thread at a time.
    func sweep(seed: Variable, targets: [Variable], createGraph: Bool, retainGraph: Bool) -> [(Variable, Variable)] {
        let order = topologicalOrder()
        let targetIDs = Set(targets.map(ObjectIdentifier.init))
        let isTarget = { (node: Variable) in !targetIDs.isEmpty && targetIDs.contains(ObjectIdentifier(node)) }
        pendingGradient = seed
        var reached: [(Variable, Variable)] = []
        GradientMode.$isRecording.withValue(createGraph) {
            for node in order.reversed() {
                guard let upstream = node.pendingGradient else { continue }
                node.pendingGradient = nil
                guard let record = node.record else {
                    if node.requiresGrad || isTarget(node) { reached.append((node, upstream)) }
                    continue
                }
                if isTarget(node) { reached.append((node, upstream)) }
                let inputGradients = record.vjp(upstream, node)
                precondition(inputGradients.count == record.inputs.count,
                             "backward: the VJP of '\(record.op)' returned \(inputGradients.count) gradients for \(record.inputs.count) inputs")
                for (i, (input, gradient)) in zip(record.inputs, inputGradients).enumerated() {
                    guard let gradient, input.requiresGrad else { continue }
                    guard gradient.shape == input.shape else {
                        fatalError("backward: the VJP of '\(record.op)' returned a gradient of shape \(describe(gradient.shape)) "
                                   + "for input \(i) of shape \(describe(input.shape))")
                    }
                    input.pendingGradient = input.pendingGradient.map { $0 + gradient } ?? gradient
                }
            }
        }
        if !retainGraph {
            for node in order { if let record = node.record { node.origin = .released(record.op) } }
        }
        return reached
    }

    /// Every node that reaches this one through recorded ops and requires a gradient,
    /// inputs before the ops that use them. Iterative, so deep graphs cannot overflow the stack.
    func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        // Each entry keeps its node's inputs, read from the record once rather than at every step.
        var stack: [(node: Variable, inputs: [Variable], next: Int)] = [(self, record?.inputs ?? [], 0)]
        isVisited = true
        while let (node, inputs, next) = stack.last {
            if next < inputs.count {
                stack[stack.count - 1].next += 1
                let input = inputs[next]
                guard input.requiresGrad, !input.isVisited else { continue }
                input.isVisited = true
                if case .released(let name) = input.origin {
                    fatalError("backward: the graph behind a '\(name)' result was freed by an earlier backward; "
                               + "pass retainGraph: true to that call to backpropagate through it twice")
                }
                stack.append((input, input.record?.inputs ?? [], 0))
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        for node in order { node.isVisited = false }
        return order
    }
}

/// The gradients of `output` with respect to each of `inputs`, as variables.
///
/// Unlike ``Variable/backward(seed:retainGraph:)`` this leaves every `grad`
/// untouched. An input that `output` does not depend on gets zeros.
///
/// - Parameters:
///   - output: a one-element result, or any result when `seed` is given.
///   - inputs: the variables to differentiate with respect to; leaves or not.
///   - seed: ∂L/∂output; nil means 1 for a one-element output.
///   - createGraph: record the sweep itself, so the gradients can be
///     differentiated again (Hessian-vector products, gradient penalties).
///   - retainGraph: keep the graph of `output`; defaults to `createGraph`.
@specialized(where S == Float)
@specialized(where S == Double)
public func gradients<S: TensorScalar>(
    of output: Variable<S>, wrt inputs: [Variable<S>], seed: Tensor<S>? = nil,
    createGraph: Bool = false, retainGraph: Bool? = nil
) -> [Variable<S>] {
    let seedTensor = output.checkedSeed(seed, op: "gradients(of:wrt:)")
    let reached = output.sweep(seed: Variable(seedTensor), targets: inputs, createGraph: createGraph,
                               retainGraph: retainGraph ?? createGraph)
    var byID: [ObjectIdentifier: Variable<S>] = [:]
    for (node, gradient) in reached { byID[ObjectIdentifier(node)] = gradient }
    return inputs.map { byID[ObjectIdentifier($0)] ?? Variable(Tensor.zeros($0.shape)) }
}
