// A finished trace and its replay. A `Trace` keeps what a tracing call recorded (its steps,
// leaves and slots) and runs it again on new inputs: the forward steps in order, each kernel
// writing its slot, then, when the result is backpropagated, the backward steps. No node,
// closure or record is made per op; a call's values live in a `TraceRun` until its result is
// backpropagated or released.

/// A tracing call's record, replayable once complete.
final class Trace<Scalar: TensorScalar> {
    let tracer: Tracer<Scalar>
    /// The slot of the function's result, and of its auxiliary outputs.
    let outputSlot: Int
    let auxiliarySlots: [Int]
    /// The parameters the result depends on and their gradients flow to: the compiled result's inputs.
    let parameters: [Variable<Scalar>]
    /// Whether each leaf required a gradient when traced: the sweep was traced for those that did.
    private let leavesRequiredGrad: [Bool]
    /// Whether the result was recorded (some parameter requires a gradient, recording was on):
    /// the trace then needs its backward sweep before it can be replayed.
    let needsBackward: Bool
    /// The slot of the seed of the backward sweep, and the slot of each parameter's gradient
    /// (nil for a parameter the sweep did not reach): set once the tracing call's result was backpropagated.
    private(set) var seedSlot: Int?
    private(set) var gradientSlots: [Int?] = []
    /// Values of a finished call, kept for the next one: a steady loop allocates them once.
    private var spare: SlotValues<Scalar>?
    /// The parameters after the first two, as the result's record holds them: made once.
    private lazy var laterParameters = Array(parameters.dropFirst(2))
    /// The result of the last replayed call, the run that holds its values, and its VJP: the
    /// next call records them again when nothing else holds the result, so that a steady loop
    /// makes none. They reach this trace back through the run; ``releaseResult()`` breaks that cycle.
    private var resultNode: Variable<Scalar>?
    private var resultRun: TraceRun<Scalar>?
    private var resultVJP: Variable<Scalar>.VJP?
    /// The arguments of the step being replayed: one array for every step and call. Like the
    /// buffers' fields, it skips the runtime's exclusivity checks: a replay, on one thread,
    /// touches it several times per step, and the checks cost about 5% of a small step.
    @exclusivity(unchecked) private var arguments: [Tensor<Scalar>] = []
    /// The trace as a program on numbers, if it is one; made at the first replay.
    private lazy var scalarProgram = ScalarProgram(tracer)

    init(tracer: Tracer<Scalar>, output: Variable<Scalar>, auxiliary: [Variable<Scalar>], needsBackward: Bool) {
        self.tracer = tracer
        outputSlot = tracer.slot(of: output)
        auxiliarySlots = auxiliary.map(tracer.slot(of:))
        parameters = tracer.leaves.map(\.variable).filter(\.requiresGrad)
        leavesRequiredGrad = tracer.leaves.map(\.variable.requiresGrad)
        self.needsBackward = needsBackward
    }

    /// Whether later calls can replay this trace: its backward sweep, if it needs one, was traced.
    var isComplete: Bool { !needsBackward || seedSlot != nil }

    /// Whether a leaf was frozen or unfrozen since the trace (``Variable/requiresGrad`` set): the
    /// traced sweep then computes gradients for other parameters than the eager one would.
    var leavesChangedRequiresGrad: Bool {
        zip(tracer.leaves, leavesRequiredGrad).contains { $0.variable.requiresGrad != $1 }
    }

    /// Traces the backward sweep from `output`, the tracing call's eager result, with `seed`:
    /// the sweep runs eagerly (its gradients are the call's own) while the tracer records it.
    func traceBackward(from output: Variable<Scalar>, seed: Tensor<Scalar>) -> [Variable<Scalar>?] {
        let seedVariable = Variable(value: seed)
        let seedSlot = tracer.slotCount
        tracer.addInput(seedVariable)
        var mode = GradientMode.current
        mode.isTracing = true
        let reached = GradientMode.$tracer.withValue(tracer) {
            GradientMode.$current.withValue(mode) {
                output.sweep(seed: seedVariable, targets: [], createGraph: false, retainGraph: false)
            }
        }
        tracer.endBackward()
        if let refusal = tracer.refusal { programmerError("compile: \(refusal)") }
        var byID: [ObjectIdentifier: Variable<Scalar>] = [:]
        for (node, gradient) in reached { byID[ObjectIdentifier(node)] = gradient }
        let gradients = parameters.map { byID[ObjectIdentifier($0)] }
        gradientSlots = gradients.map { $0.map(tracer.slot(of:)) }
        self.seedSlot = seedSlot
        tracer.releaseTraceVariables()
        return gradients
    }

    /// Runs the forward steps on `inputs` and the leaves' current values: on numbers, when every
    /// value holds one element and every step is elementwise; else on tensors.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func replayForward(_ inputs: UnsafeBufferPointer<Tensor<Scalar>>) -> SlotValues<Scalar> {
        var values = spare ?? SlotValues(count: tracer.slotCount, onNumbers: scalarProgram != nil)
        spare = nil
        if let scalarProgram {
            values.numbers.withUnsafeMutableBufferPointer { numbers in
                for (i, input) in inputs.enumerated() { numbers[i] = input.scalar }
                for (slot, leaf) in tracer.leaves { numbers[slot] = leaf.value.scalar }
                scalarProgram.run(backward: false, on: numbers)
            }
            return values
        }
        for (i, input) in inputs.enumerated() { values.tensors[i] = input }
        for (slot, leaf) in tracer.leaves { values.tensors[slot] = leaf.value }
        run(0..<tracer.forwardCount, on: &values.tensors)
        return values
    }

    /// The value in `slot` after a forward replay.
    func value(at slot: Int, in values: SlotValues<Scalar>) -> Tensor<Scalar> {
        values.numbers.isEmpty ? values.tensors[slot]! : Tensor(shape: tracer.slotShapes[slot], element: values.numbers[slot])
    }

    /// The recorded result of a replayed call, `value`, whose backward pass replays the backward
    /// steps on `values`: the last call's node and run when nothing else holds that node.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func result(_ value: Tensor<Scalar>, values: SlotValues<Scalar>) -> Variable<Scalar> {
        if isKnownUniquelyReferenced(&resultNode), let node = resultNode, let run = resultRun, let vjp = resultVJP,
           node.annotations?.holdsOnlyDirectBackward == true {
            if !run.values.isEmpty { recycle(&run.values) }    // the last result was dropped before its backward pass
            run.values = values
            node.recordAgain(value, parameters[0], parameters.count > 1 ? parameters[1] : nil, later: laterParameters, vjp: vjp)
            return node
        }
        let run = TraceRun(trace: self, values: values)
        let vjp: Variable<Scalar>.VJP = { g, _ in
            refuseCreateGraphThroughCompiledResult()
            return run.backward(seed: g.value)
        }
        let node = Variable(value, recordedAs: "compiled", inputs: parameters, vjp: vjp)
        node.madeAnnotations.directBackward = { node, seed in run.backwardIntoParameters(of: node, seed: seed) }
        (resultNode, resultRun, resultVJP) = (node, run, vjp)
        return node
    }

    /// Lets go of the last result kept for reuse, releasing its record if nothing else holds it:
    /// for a trace that is dropped, whose result and run would otherwise hold it in a cycle.
    func releaseResult() {
        if isKnownUniquelyReferenced(&resultNode), let node = resultNode {
            node.releaseRecord()
            node.annotations?.directBackward = nil
        }
        (resultNode, resultRun, resultVJP) = (nil, nil, nil)
    }

    /// Runs the backward steps from `seed` on the values of a forward replay; returns each
    /// parameter's gradient, and keeps the values' storage for the next call.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func replayBackward(_ values: inout SlotValues<Scalar>, seed: Tensor<Scalar>) -> [Variable<Scalar>?] {
        runBackward(&values, seed: seed)
        let gradients = gradientSlots.map { slot in slot.map { Variable(value: value(at: $0, in: values)) } }
        recycle(&values)
        return gradients
    }

    /// ``replayBackward(_:seed:)`` adding each gradient to its parameter's `grad`, as a backward
    /// sweep does for a leaf, with no variable or array made on the way.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func replayBackwardIntoParameters(_ values: inout SlotValues<Scalar>, seed: Tensor<Scalar>) {
        runBackward(&values, seed: seed)
        for (parameter, slot) in zip(parameters, gradientSlots) {
            guard let slot else { continue }
            let gradient = value(at: slot, in: values)
            parameter.grad = parameter.grad.map { $0 + gradient } ?? gradient
        }
        recycle(&values)
    }

    private func runBackward(_ values: inout SlotValues<Scalar>, seed: Tensor<Scalar>) {
        if let scalarProgram {
            values.numbers[seedSlot!] = seed.scalar
            values.numbers.withUnsafeMutableBufferPointer { scalarProgram.run(backward: true, on: $0) }
        } else {
            values.tensors[seedSlot!] = seed
            run(tracer.forwardCount..<tracer.steps.count, on: &values.tensors)
        }
    }

    /// Whether a backward pass from this trace's result can add the gradients to the parameters
    /// directly: each is a leaf of the graph without hooks, and no anomaly detection is watching.
    var backpropagatesIntoParametersDirectly: Bool {
        let mode = GradientMode.current
        return !mode.detectsAnomalies && !mode.isTracing && parameters.allSatisfy { !$0.isRecorded && !$0.hasAnnotations }
    }

    /// Clears `values` and keeps them for the next call.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func recycle(_ values: inout SlotValues<Scalar>) {
        if !values.tensors.isEmpty {
            // The values handed to the caller stay with the steps that made them: once the caller
            // lets go of them (a zeroGrad), the next call writes into them again.
            for (slot, producer) in plan.handedOver { plan.buffers[producer].tensor = values.tensors[slot] }
        }
        for i in values.tensors.indices { values.tensors[i] = nil }
        spare = values
        values = SlotValues(count: 0, onNumbers: false)
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    private func run(_ range: Range<Int>, on values: inout [Tensor<Scalar>?]) {
        let plan = self.plan
        // Steps read in place, through buffers: copying a step would retain each of its fields.
        tracer.steps.withUnsafeBufferPointer { steps in
            plan.buffers.withUnsafeBufferPointer { buffers in
                for i in range {
                    for slot in steps[i].inputs { arguments.append(values[slot].unsafelyUnwrapped) }
                    values[steps[i].output] = steps[i].kernel(arguments, buffers[i])
                    arguments.removeAll(keepingCapacity: true)    // holds no value past its step
                    for (slot, producer) in plan.releases[i] {
                        // Kept for the step that made it, which writes into it at the next call.
                        if let producer { buffers[producer].tensor = values[slot] }
                        values[slot] = nil
                    }
                }
            }
        }
    }

    /// The replay's use of memory, made at the first replay. `releases`: for each step, the
    /// slots that no later step reads and no caller does, with the step that made each if that
    /// step reuses its buffer (nil for an input, a leaf, or another step's output). A replay lets go of them after the step, into `buffers`, the step's
    /// buffer for the next call; the slots the caller reads (result, auxiliary outputs,
    /// gradients) are handed over, not kept.
    private lazy var plan: (releases: [[(slot: Int, producer: Int?)]], handedOver: [(slot: Int, producer: Int)],
                            buffers: [ReusableOutput<Scalar>]) = {
        var lastUse = [Int?](repeating: nil, count: tracer.slotCount)
        var producer = [Int?](repeating: nil, count: tracer.slotCount)
        for (i, step) in tracer.steps.enumerated() {
            for slot in step.inputs { lastUse[slot] = i }
            if step.reusesOutput { producer[step.output] = i }
            if lastUse[step.output] == nil { lastUse[step.output] = i }    // written, never read: let go at once
        }
        let handedOver = Set([outputSlot] + auxiliarySlots + gradientSlots.compactMap { $0 })
        for slot in handedOver { lastUse[slot] = nil }
        var releases = [[(slot: Int, producer: Int?)]](repeating: [], count: tracer.steps.count)
        for (slot, step) in lastUse.enumerated() { if let step { releases[step].append((slot, producer[slot])) } }
        return (releases, handedOver.sorted().compactMap { slot in producer[slot].map { (slot, $0) } },
                tracer.steps.map { ReusableOutput(shape: tracer.slotShapes[$0.output]) })
    }()
}

/// The values of a replayed call, by slot: tensors, or numbers when the trace runs as a
/// ``ScalarProgram``. Empty once handed back.
struct SlotValues<Scalar: TensorScalar> {
    var tensors: [Tensor<Scalar>?]
    var numbers: [Scalar]

    init(count: Int, onNumbers: Bool) {
        tensors = onNumbers ? [] : Array(repeating: nil, count: count)
        numbers = onNumbers ? Array(repeating: 0, count: count) : []
    }

    var isEmpty: Bool { tensors.isEmpty && numbers.isEmpty }
}

/// The values of one replayed call, held by its result's record until the backward replay
/// (or the result's release) hands their storage back to the trace.
final class TraceRun<Scalar: TensorScalar> {
    let trace: Trace<Scalar>
    var values: SlotValues<Scalar>

    init(trace: Trace<Scalar>, values: SlotValues<Scalar>) {
        self.trace = trace
        self.values = values
    }

    /// The backward pass of `node`, the result that holds these values, from `seed`, when it can
    /// add the gradients to the parameters directly (see ``Trace/backpropagatesIntoParametersDirectly``):
    /// the backward steps, then each gradient added to its parameter's `grad`, with no sweep.
    /// Returns false, doing nothing, when it cannot; the sweep then runs, and reports what is wrong.
    func backwardIntoParameters(of node: Variable<Scalar>, seed: Tensor<Scalar>) -> Bool {
        guard node.isRecorded, !values.isEmpty, node.annotations?.holdsOnlyDirectBackward == true,
              trace.backpropagatesIntoParametersDirectly else { return false }
        node.checkSavedValues()
        trace.replayBackwardIntoParameters(&values, seed: seed)
        node.releaseRecord()
        return true
    }

    /// The parameters' gradients for `seed`, by the traced backward steps; once only.
    func backward(seed: Tensor<Scalar>) -> [Variable<Scalar>?] {
        guard !values.isEmpty else {
            programmerError("compile: the result of a compiled call was backpropagated twice; its values are "
                            + "released after the first backward pass (retainGraph is not replayed)")
        }
        return trace.replayBackward(&values, seed: seed)
    }

    deinit {
        if !values.isEmpty { trace.recycle(&values) }
    }
}
