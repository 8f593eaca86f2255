// The backward sweep, as in micrograd: sort the nodes topologically, then visit them in
// reverse, handing each node's summed gradient to its op's VJP and adding what comes out
// to its inputs' sums. A first-order sweep layers the scalar fast path of
// Variable+ScalarSweep.swift on it, in two places marked below.

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
        if !retainGraph, let direct = annotations?.directBackward, direct(self, seed) { return }
        let leaves = sweep(seed: Variable(seed), targets: [], createGraph: false, retainGraph: retainGraph,
                           fillsRetainedGrads: true)
        for (leaf, gradient) in leaves {
            leaf.grad = leaf.grad.map { $0 + gradient.value } ?? gradient.value
        }
    }

    /// Validates a seed for a sweep from this variable, defaulting to 1 for one-element values.
    func checkedSeed(_ seed: Tensor<Scalar>?, op: String) -> Tensor<Scalar> {
        if let name = releasedOp {
            programmerError("\(op): the graph behind this '\(name)' result was freed by an earlier backward; "
                       + "pass retainGraph: true to that call to backpropagate through it twice")
        }
        guard requiresGrad else {
            programmerError("\(op): the variable does not require a gradient: no input requires one, or recording was off")
        }
        guard let seed else {
            guard value.count == 1 else {
                programmerError("\(op): a seed is needed for a result of shape \(describe(shape)); only one-element results default to 1")
            }
            return Tensor(shape: shape, element: 1)
        }
        guard seed.shape == shape else {
            programmerError("\(op): seed of shape \(describe(seed.shape)) for a result of shape \(describe(shape))")
        }
        return seed
    }

    /// The reverse sweep. Returns the gradient reaching each leaf that requires one,
    /// and each of `targets` (leaf or not), in visiting order.
    ///
    /// Nodes are visited in reverse topological order, so a node's gradient is complete,
    /// summed over all its users, when its VJP receives it. On the way, a node's hooks see the
    /// gradient (and a `backward()`, `fillsRetainedGrads`, keeps it if asked), the values its VJP
    /// reads are checked against those it was recorded with, and inside `detectingAnomalies`
    /// the gradients it returns are checked. A first-order sweep also takes the scalar fast
    /// path of `Variable+ScalarSweep.swift`, at the two lines marked so.
    func sweep(seed: Variable, targets: [Variable], createGraph: Bool, retainGraph: Bool,
               fillsRetainedGrads: Bool = false) -> [(Variable, Variable)] {
        let mode = GradientMode.current
        let anomalies = mode.anomalyDetector
        let backwardCall = anomalies == nil ? nil : CallSite.capture()
        let tracer = mode.tracer(of: Scalar.self)
        if let tracer, !tracer.isTracingBackward {
            tracer.refuse("a backward sweep inside the compiled function (gradients(of:wrt:), backward()) is not supported")
        }
        // Inside detectingAnomalies every VJP runs on variables, so that each gradient is checked;
        // so does a traced sweep, so that each step is an op the trace records.
        var sums = GradientSums<Scalar>(keepsNumbers: !createGraph && anomalies == nil && tracer == nil)
        let order = topologicalOrderUnretained(leaves: &sums.leaves)
        // nil when there are no targets (a backward call): the per-node check then touches no set.
        let targetIDs = targets.isEmpty ? nil : Set(targets.map(ObjectIdentifier.init))
        let isTarget = { (node: Variable) in targetIDs?.contains(ObjectIdentifier(node)) == true }
        sums.add(seed, to: self)
        var reached: [(Variable, Variable)] = []
        GradientMode.withRecording(createGraph) {
            for reference in order.reversed() {
                if sums.passOnAsNumber(at: reference, unless: isTarget) { continue }    // the scalar fast path
                let node = reference.takeUnretainedValue()
                guard var upstream = sums.take(at: node) else { continue }
                if let annotations = node.annotations {
                    if !annotations.hooks.isEmpty { tracer?.refuse("gradient hooks (registerHook) are not replayed by compile") }
                    upstream = annotations.pass(upstream, at: node, retaining: fillsRetainedGrads)
                }
                if !node.isRecorded || isTarget(node) { reached.append((node, upstream)) }    // a leaf, or a target
                guard node.isRecorded else { continue }
                node.checkSavedValues()
                let inputGradients = node.vjp!(upstream, node)
                node.checkCount(of: inputGradients)
                anomalies?.checkBackward(node, gradients: inputGradients, backwardCall: backwardCall)
                for (i, gradient) in inputGradients.enumerated() {
                    let input = node.input(i)
                    guard let gradient, input.requiresGrad else { continue }
                    node.checkShape(of: gradient, for: input, at: i)
                    sums.add(gradient, to: input)
                }
            }
        }
        if !retainGraph {
            for node in order { node._withUnsafeGuaranteedRef { if $0.isRecorded { $0.releaseRecord() } } }
        }
        return reached
    }

    /// Stops with a message unless this node's VJP returned one gradient per input.
    @inline(__always)
    private func checkCount(of inputGradients: [Variable?]) {
        require(inputGradients.count == inputCount,
                     "backward: the VJP of '\(op ?? "")' returned \(inputGradients.count) gradients for \(inputCount) inputs")
    }

    /// Stops with a message unless `gradient` is shaped like `input`, input `i` of this node.
    @inline(__always)
    private func checkShape(of gradient: Variable, for input: Variable, at i: Int) {
        guard gradient.shape == input.shape else {
            programmerError("backward: the VJP of '\(op ?? "")' returned a gradient of shape \(describe(gradient.shape)) "
                       + "for input \(i) of shape \(describe(input.shape))")
        }
    }

    /// Every node that reaches this one through recorded ops and requires a gradient, this one
    /// included: inputs before the ops that use them, in the order a backward sweep visits them
    /// reversed. Leaves (parameters) are among them; constants are not.
    ///
    /// For tools that inspect a graph before `backward()` releases it: activation statistics,
    /// graph sizes, DOT output. Iterative, so deep graphs cannot overflow the stack.
    public func recordedNodes() -> [Variable] { topologicalOrder() }

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
            programmerError("backward: the graph behind a '\(name)' result was freed by an earlier backward; "
                       + "pass retainGraph: true to that call to backpropagate through it twice")
        }
    }
}

/// The gradients summed so far in one sweep, each waiting for its node's visit.
///
/// A recorded node belongs to the graph being swept and keeps its sum in a field of its own
/// (`pending`), so the sweep needs no dictionary; the graph is therefore swept by one thread
/// at a time. A leaf may feed graphs that other threads sweep at the same time, so its sum
/// waits in the sweep's own table and the leaf is never written.
struct GradientSums<Scalar: TensorScalar>: ~Copyable {
    var leaves = LeafGradients<Scalar>()
    /// Whether a one-element node's gradient is kept as a plain number: in a first-order sweep.
    let keepsNumbers: Bool

    /// Adds `gradient` to the sum waiting at `node`.
    @inline(__always)
    mutating func add(_ gradient: Variable<Scalar>, to node: Variable<Scalar>) {
        if addAsNumber(gradient, to: node) { return }       // the scalar fast path
        withPending(of: node) { $0.add(gradient) }
    }

    /// The sum waiting at `node` as a variable shaped like it, or nil if nothing waits; nothing waits afterwards.
    mutating func take(at node: Variable<Scalar>) -> Variable<Scalar>? {
        withPending(of: node) { $0.take(shape: node.shape) }
    }

    /// Runs `body` on the sum waiting at `node`: in the node if it is recorded, in the table if it is a leaf.
    @inline(__always)
    mutating func withPending<R>(of node: Variable<Scalar>, _ body: (inout PendingGradient<Scalar>) -> R) -> R {
        node.isRecorded ? body(&node.pending) : leaves.withPending(of: node, body)
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
