extension Variable {
    /// Backpropagates from this variable, adding ∂self/∂leaf to each leaf's ``grad``.
    ///
    /// Threads: the additions to ``grad`` are not synchronized. Graphs that share a leaf may
    /// be swept on different threads at once with ``gradients(of:wrt:seed:createGraph:retainGraph:)``,
    /// which writes nothing into the leaves, but not with `backward()`.
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
        if let name = releasedOp {
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
    /// Gradients wait in each recorded node's `pending` field until the node is visited, so
    /// the sweep needs no dictionary; a graph's recorded nodes are therefore swept by one
    /// thread at a time. Leaves, which other graphs may share, are never written: theirs wait
    /// in the sweep's own ``LeafGradients``. A first-order sweep keeps the gradient of a
    /// one-element node as a plain number, and a node whose record has a ``ScalarVJP``
    /// passes it on without making a variable.
    func sweep(seed: Variable, targets: [Variable], createGraph: Bool, retainGraph: Bool) -> [(Variable, Variable)] {
        var leaves = LeafGradients<Scalar>()
        let order = topologicalOrderUnretained(leaves: &leaves)
        // nil when there are no targets (a backward call): the per-node check then touches no set.
        let targetIDs = targets.isEmpty ? nil : Set(targets.map(ObjectIdentifier.init))
        let isTarget = { (node: Variable) in targetIDs?.contains(ObjectIdentifier(node)) == true }
        accumulate(seed, into: self, asNumber: !createGraph, leaves: &leaves)
        var reached: [(Variable, Variable)] = []
        GradientMode.$isRecording.withValue(createGraph) {
            for reference in order.reversed() {
                let passedOn = reference._withUnsafeGuaranteedRef { node in
                    guard node.isRecorded, node.pending.hasNumber, node.pending.variable == nil,
                          let rule = node.scalarVJP, !isTarget(node) else { return false }
                    node.pending.hasNumber = false
                    node.propagate(node.pending.number, through: rule, leaves: &leaves)
                    return true
                }
                if passedOn { continue }
                let node = reference.takeUnretainedValue()
                guard node.isRecorded else {
                    guard let upstream = leaves.withPending(of: node, { $0.take(shape: node.shape) }) else { continue }
                    if node.requiresGrad || isTarget(node) { reached.append((node, upstream)) }
                    continue
                }
                guard let upstream = node.pending.take(shape: node.shape) else { continue }
                if isTarget(node) { reached.append((node, upstream)) }
                let inputGradients = node.vjp!(upstream, node)
                precondition(inputGradients.count == node.inputCount,
                             "backward: the VJP of '\(node.op ?? "")' returned \(inputGradients.count) gradients for \(node.inputCount) inputs")
                for (i, gradient) in inputGradients.enumerated() {
                    let input = node.input(i)
                    guard let gradient, input.requiresGrad else { continue }
                    guard gradient.shape == input.shape else {
                        fatalError("backward: the VJP of '\(node.op ?? "")' returned a gradient of shape \(describe(gradient.shape)) "
                                   + "for input \(i) of shape \(describe(input.shape))")
                    }
                    accumulate(gradient, into: input, asNumber: !createGraph, leaves: &leaves)
                }
            }
        }
        if !retainGraph {
            for node in order { node._withUnsafeGuaranteedRef { if $0.isRecorded { $0.releaseRecord() } } }
        }
        return reached
    }

    /// Adds `gradient` to what waits at `node`: as a number when `asNumber` and the node holds one element.
    private func accumulate(_ gradient: Variable, into node: Variable, asNumber: Bool, leaves: inout LeafGradients<Scalar>) {
        if asNumber && node.value.count == 1 {
            let number = gradient.value.scalar
            if node.isRecorded { node.pending.add(number) } else { leaves.withPending(of: node) { $0.add(number) } }
        } else {
            if node.isRecorded { node.pending.add(gradient) } else { leaves.withPending(of: node) { $0.add(gradient) } }
        }
    }

    /// Hands `upstream` through a rule on numbers to this node's one or two inputs, which
    /// it reads through unretained references: this node holds them.
    @inline(__always)
    private func propagate(_ upstream: Scalar, through rule: ScalarVJP, leaves: inout LeafGradients<Scalar>) {
        let x = unretainedInput(0)
        let y = inputCount > 1 ? unretainedInput(1) : nil
        let xValue = x._withUnsafeGuaranteedRef { $0.value.scalar }
        let yValue = y?._withUnsafeGuaranteedRef { $0.value.scalar } ?? 0
        let (dx, dy) = rule(upstream, value.scalar, xValue, yValue)
        x._withUnsafeGuaranteedRef { Self.add(dx, to: $0, leaves: &leaves) }
        y?._withUnsafeGuaranteedRef { Self.add(dy, to: $0, leaves: &leaves) }
    }

    /// Adds a number to the gradient waiting at a one-element input, if it requires one.
    @inline(__always)
    private static func add(_ gradient: Scalar, to input: Variable, leaves: inout LeafGradients<Scalar>) {
        guard input.requiresGrad else { return }
        if input.isRecorded { input.pending.add(gradient) } else { leaves.withPending(of: input) { $0.add(gradient) } }
    }

    /// Every node that reaches this one through recorded ops and requires a gradient,
    /// inputs before the ops that use them. Iterative, so deep graphs cannot overflow the stack.
    func topologicalOrder() -> [Variable] {
        var leaves = LeafGradients<Scalar>()
        return topologicalOrderUnretained(leaves: &leaves).map { $0.takeUnretainedValue() }
    }

    /// ``topologicalOrder()`` without a reference count per node: the references stay valid
    /// while this node holds its graph, that is until a sweep releases the records, which it
    /// does inputs first (an input comes before every op that holds it), so a node is never
    /// read after its last holder let go. A recorded node is marked visited in a field of its
    /// own; a leaf, which graphs on other threads may share, by its entry in `leaves`.
    func topologicalOrderUnretained(leaves: inout LeafGradients<Scalar>) -> [Unmanaged<Variable>] {
        var order: [Unmanaged<Variable>] = []
        var stack: [(node: Unmanaged<Variable>, next: Int)] = [(.passUnretained(self), 0)]
        if isRecorded { isVisited = true } else { _ = leaves.insert(self) }
        while let (reference, next) = stack.last {
            let child = reference._withUnsafeGuaranteedRef { node in
                next < node.inputCount ? node.unretainedInput(next) : nil
            }
            guard let child else {
                order.append(reference)
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            let isNew = child._withUnsafeGuaranteedRef { input in
                guard input.requiresGrad else { return false }
                guard input.isRecorded else { return leaves.insert(input) }
                guard !input.isVisited else { return false }
                input.isVisited = true
                return true
            }
            if isNew {
                child._withUnsafeGuaranteedRef(Self.stopIfReleased)
                stack.append((child, 0))
            }
        }
        for node in order { node._withUnsafeGuaranteedRef { if $0.isRecorded { $0.isVisited = false } } }
        return order
    }

    /// Stops with a message if `node` is the result of an op whose record a sweep released.
    private static func stopIfReleased(_ node: Variable) {
        if let name = node.releasedOp {
            fatalError("backward: the graph behind a '\(name)' result was freed by an earlier backward; "
                       + "pass retainGraph: true to that call to backpropagate through it twice")
        }
    }
}

/// The gradients of `output` with respect to each of `inputs`, as variables.
///
/// Unlike ``Variable/backward(seed:retainGraph:)`` this leaves every `grad`
/// untouched. An input that `output` does not depend on gets zeros.
///
/// Threads: graphs built on different threads may share leaves (a model's parameters), and
/// each thread may sweep its own graph at the same time. A sweep writes nothing into a leaf;
/// it reads the leaf's `value` and `requiresGrad`, which nobody may change meanwhile. A
/// recorded node (an op's result) keeps the sweep's running sums in its own fields, so the
/// graph that holds it is swept by one thread at a time.
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
