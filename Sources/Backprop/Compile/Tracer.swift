// The recorder of a compiled function's tracing calls. While a call runs eagerly, each op
// whose inputs the trace reaches (a compiled input, a parameter, or an earlier traced op)
// hands the tracer its forward kernel; the tracer numbers the values (slots) and keeps the
// kernels in order. The backward sweep of that call is traced the same way: its VJPs are ops
// on traced variables. A `Trace` keeps the result and replays it at later calls.

/// One kernel of a trace: the op's forward computation on its inputs' values, and where they are.
struct TracedStep<Scalar: TensorScalar> {
    /// The op's name, for messages.
    let op: String
    /// The slots the kernel reads, in order.
    let inputs: [Int]
    /// The slot it writes.
    let output: Int
    /// The op's forward computation, the same code the eager op runs; kernels that can write into
    /// the step's buffer from the last call do so (their result is the same).
    let kernel: ([Tensor<Scalar>], ReusableOutput<Scalar>) -> Tensor<Scalar>
    /// The kernel's elementwise form, if it has one: a program on numbers can run it.
    var form: ElementwiseForm<Scalar>? = nil
    /// Whether the kernel writes into its buffer from the last call: the replay keeps its output then.
    var reusesOutput = false
}

/// A ``Tracer`` of any scalar type, as the task-local that holds it sees it. A tracer belongs to
/// the one thread that runs a tracing call: the task-local hands it to that thread's ops only.
class AnyTracer: @unchecked Sendable {}

/// What one tracing call recorded: its steps, its leaves, and what the two traces of a set of
/// shapes must agree on.
final class Tracer<Scalar: TensorScalar>: AnyTracer, @unchecked Sendable {
    /// Forward steps, then (once the call's result was backpropagated) backward steps.
    private(set) var steps: [TracedStep<Scalar>] = []
    /// How many of `steps`, and of `constants`, belong to the forward pass; the rest are the sweep's.
    private(set) var forwardCount = 0
    private(set) var forwardConstantCount = 0
    /// Variables that no traced op made but a traced op read: parameters and constants, read
    /// again at every replay, by slot.
    private(set) var leaves: [(slot: Int, variable: Variable<Scalar>)] = []
    /// The op name and output shape of every step, and the constants made while tracing (values,
    /// and positions frozen into kernels): two traces of the same shapes must agree on all of them.
    private(set) var signature: [String] = []
    private(set) var constants: [Tensor<Scalar>] = []
    /// Positions frozen into kernels, with the step each belongs to.
    private(set) var indexConstants: [(step: Int, indices: [Int])] = []
    /// Why the trace cannot be replayed, if it cannot: the first cause found (an op without a kernel, a hook).
    private(set) var refusal: String?
    /// The shape of each slot's value when traced (an effect's empty slot has shape [0]).
    private(set) var slotShapes: [[Int]] = []
    var slotCount: Int { slotShapes.count }

    /// Each traced variable's slot, by identity; the variables are held, so that no identity is reused.
    private var slots: [ObjectIdentifier: Int] = [:]
    private var held: [Variable<Scalar>] = []
    /// The op recorded last, waiting for its kernel, with its inputs.
    private var awaiting: (node: Variable<Scalar>, op: String, inputs: [Variable<Scalar>])?

    /// Whether the tracer is recording the backward sweep: a sweep in the forward pass (a
    /// gradient inside the compiled function) is refused.
    private(set) var isTracingBackward = false

    /// Gives `variable`, a compiled function's next input (or the backward sweep's seed), the next slot.
    func addInput(_ variable: Variable<Scalar>) {
        variable.isTraced = true
        _ = newSlot(for: variable)
    }

    /// The slot of `variable`: its own if a traced op made it, else a new leaf slot.
    func slot(of variable: Variable<Scalar>) -> Int {
        if let slot = slots[ObjectIdentifier(variable)] { return slot }
        let slot = newSlot(for: variable)
        leaves.append((slot, variable))
        return slot
    }

    private func newSlot(for variable: Variable<Scalar>) -> Int {
        defer { slotShapes.append(variable.shape) }
        slots[ObjectIdentifier(variable)] = slotCount
        held.append(variable)
        return slotCount
    }

    /// Notes that `node`, the result of `op` on `inputs`, was made while tracing; its kernel follows.
    func expectKernel(for node: Variable<Scalar>, op: String, inputs: [Variable<Scalar>]) {
        finishAwaiting()
        awaiting = (node, op, inputs)
    }

    /// Records the kernel of the op that made `node`, the last one noted; the kernel reads the
    /// op's inputs, then `extraInputs` (values it reads without differentiating them).
    func attach(_ kernel: @escaping ([Tensor<Scalar>], ReusableOutput<Scalar>) -> Tensor<Scalar>, to node: Variable<Scalar>,
                extraInputs: [Variable<Scalar>] = [], form: ElementwiseForm<Scalar>? = nil, reusesOutput: Bool = false) {
        guard let (expected, op, inputs) = awaiting, expected === node else { return }
        awaiting = nil
        let inputSlots = (inputs + extraInputs).map(slot(of:))
        steps.append(TracedStep(op: op, inputs: inputSlots, output: newSlot(for: node), kernel: kernel, form: form,
                                reusesOutput: reusesOutput))
        signature.append("\(op) \(describe(node.shape))")
    }

    /// Replaces the kernel of the step that made `node`, the last step, by one that also reads
    /// `extraInputs`: for an op whose kernel depends on more than its recorded inputs.
    func replaceKernel(of node: Variable<Scalar>, extraInputs: [Variable<Scalar>],
                       _ kernel: @escaping ([Tensor<Scalar>], ReusableOutput<Scalar>) -> Tensor<Scalar>) {
        guard let last = steps.last, slots[ObjectIdentifier(node)] == last.output else { return }
        indexConstants.removeAll { $0.step == steps.count - 1 }    // the new kernel finds its positions itself
        steps[steps.count - 1] = TracedStep(op: last.op, inputs: last.inputs + extraInputs.map(slot(of:)),
                                            output: last.output, kernel: kernel, reusesOutput: true)
    }

    /// Records a constant computed afresh at every call by `make` (dropout's mask), which `node` holds now.
    func recordComputed(_ node: Variable<Scalar>, by make: @escaping () -> Tensor<Scalar>) {
        finishAwaiting()
        node.isTraced = true
        steps.append(TracedStep(op: "computed", inputs: [], output: newSlot(for: node), kernel: { _, _ in make() }))
        signature.append("computed \(describe(node.shape))")
    }

    /// Records `effect`, a side effect on the values of `variables` (running statistics), as a
    /// step whose output slot holds nothing.
    func recordEffect(reading variables: [Variable<Scalar>], _ effect: @escaping ([Tensor<Scalar>]) -> Void) {
        finishAwaiting()
        let inputs = variables.map(slot(of:))
        defer { slotShapes.append([0]) }
        steps.append(TracedStep(op: "effect", inputs: inputs, output: slotCount, kernel: { arguments, _ in
            effect(arguments)
            return Tensor(0)
        }))
        signature.append("effect")
    }

    /// Notes a constant made while tracing, whose value the replay will reuse: a second trace
    /// must make the same one, or the function computed it from a value.
    func noteConstant(_ value: Tensor<Scalar>) {
        constants.append(value)
    }

    /// Notes positions that the last step's kernel reuses at every replay, as ``noteConstant(_:)`` a value.
    func noteIndices(_ indices: [Int]) {
        indexConstants.append((steps.count - 1, indices))
    }

    /// Refuses the trace: `reason` says which op cannot be replayed.
    func refuse(_ reason: String) {
        if refusal == nil { refusal = reason }
    }

    /// Ends the forward pass: everything recorded from here on is the backward sweep.
    func endForward() {
        finishAwaiting()
        forwardCount = steps.count
        forwardConstantCount = constants.count
        isTracingBackward = true
    }

    /// Ends the backward sweep.
    func endBackward() {
        finishAwaiting()
        isTracingBackward = false
    }

    /// Refuses the trace if the op noted last never gave its kernel.
    private func finishAwaiting() {
        guard let (_, op, _) = awaiting else { return }
        awaiting = nil
        refuse("'\(op)' has no compiled form yet (a custom op, or a library op not yet supported by compile)")
    }

    /// Releases the variables held during tracing, but the leaves, which replays read.
    func releaseTraceVariables() {
        slots = [:]
        held = []
    }
}

extension Variable {
    /// Gives the trace being recorded, if any, this op's forward computation on its inputs'
    /// values: the same code as the eager value, so that a replay is bit-identical.
    @inline(__always)
    func traced(_ kernel: @escaping (_ inputs: [Tensor<Scalar>]) -> Tensor<Scalar>) -> Variable {
        if isTraced { attachKernel { arguments, _ in kernel(arguments) } }
        return self
    }

    /// ``traced(_:)`` for a kernel that also reads the op's attributes (an axis, a shape, a
    /// constant), passed apart so that an eager call forms no closure context.
    /// `form` is `.identity` for an op that only changes the shape (on one element, the value is
    /// unchanged).
    @inline(__always)
    func traced<Attributes>(_ attributes: Attributes, form: @autoclosure () -> ElementwiseForm<Scalar>? = nil,
                            _ kernel: @escaping (_ inputs: [Tensor<Scalar>], Attributes) -> Tensor<Scalar>) -> Variable {
        if isTraced { attachKernel({ arguments, _ in kernel(arguments, attributes) }, form: form()) }
        return self
    }

    /// ``traced(_:form:_:)`` for a kernel that writes into the step's buffer from the last call
    /// when it can (`output`): its result must be what the eager op computes.
    @inline(__always)
    func traced<Attributes>(
        _ attributes: Attributes,
        reusing kernel: @escaping (_ inputs: [Tensor<Scalar>], _ output: ReusableOutput<Scalar>, Attributes) -> Tensor<Scalar>
    ) -> Variable {
        if isTraced { attachKernel({ kernel($0, $1, attributes) }, reusesOutput: true) }
        return self
    }

    /// ``traced(_:reusing:)`` for a kernel that reads nothing but its inputs and `output`, with an
    /// elementwise form (`.identity`: a shape op, on one element the value unchanged).
    @inline(__always)
    func traced(form: @autoclosure () -> ElementwiseForm<Scalar>,
                reusing kernel: @escaping (_ inputs: [Tensor<Scalar>], _ output: ReusableOutput<Scalar>) -> Tensor<Scalar>) -> Variable {
        if isTraced { attachKernel(kernel, form: form(), reusesOutput: true) }
        return self
    }

    /// ``traced(form:reusing:)`` for a view, a kernel whose result shares its input's elements
    /// under the step's traced shape (`output.shape`): the step keeps no buffer.
    @inline(__always)
    func traced(form: @autoclosure () -> ElementwiseForm<Scalar>,
                view kernel: @escaping (_ inputs: [Tensor<Scalar>], _ output: ReusableOutput<Scalar>) -> Tensor<Scalar>) -> Variable {
        if isTraced { attachKernel(kernel, form: form()) }
        return self
    }

    /// Replaces the kernel that this op's result gave the trace, if one is being recorded, by
    /// `kernel`, which reads the op's inputs and then `extra`: for a result computed from
    /// something a replay must recompute (the positions of maxima, from the forward input).
    /// The kernel writes into the step's buffer from the last call when it can (`output`).
    func retraced(reading extra: Variable,
                  _ kernel: @escaping (_ inputs: [Tensor<Scalar>], _ output: ReusableOutput<Scalar>) -> Tensor<Scalar>) -> Variable {
        if isTraced { GradientMode.current.tracer(of: Scalar.self)?.replaceKernel(of: self, extraInputs: [extra], kernel) }
        return self
    }

    /// Gives the trace being recorded, if any, this op's computation as an elementwise kernel
    /// (the eager op's own). The kernel reads the op's inputs, then `extra` if given: a value the
    /// op uses without differentiating it (relu's mask reads the forward input).
    ///
    /// The forms here are autoclosures: a value of the generic `ElementwiseForm` in an op's body
    /// makes its generic entry point (which calls from other modules take) look up the enum's
    /// metadata at every call, before it even dispatches to its specialization: that cost an
    /// eager scalar chain three lookups per op, four times its instructions.
    @inline(__always)
    func traced(_ form: @autoclosure () -> ElementwiseForm<Scalar>, reading extra: Variable? = nil) -> Variable {
        if isTraced { attachElementwiseKernel(form, extraInputs: extra.map { [$0] } ?? []) }
        return self
    }

    /// Evaluates `form` here, out of line, rather than in the op.
    @inline(never)
    private func attachElementwiseKernel(_ form: () -> ElementwiseForm<Scalar>, extraInputs: [Variable]) {
        let form = form()
        attachKernel(form.kernel, extraInputs: extraInputs, form: form, reusesOutput: true)
    }

    @inline(never)
    private func attachKernel(_ kernel: @escaping ([Tensor<Scalar>], ReusableOutput<Scalar>) -> Tensor<Scalar>,
                              extraInputs: [Variable] = [], form: @autoclosure () -> ElementwiseForm<Scalar>? = nil,
                              reusesOutput: Bool = false) {
        GradientMode.current.tracer(of: Scalar.self)?.attach(kernel, to: self, extraInputs: extraInputs, form: form(),
                                                             reusesOutput: reusesOutput)
    }

    /// A constant computed by `make` from this variable's value (a mask in a VJP): in a trace, a
    /// step that computes it again from the replayed value.
    func derivedConstant(_ op: String, _ make: @escaping (Tensor<Scalar>) -> Tensor<Scalar>) -> Variable {
        Variable.derivedConstant(op, from: [self]) { make($0[0]) }
    }

    /// A constant computed by `make` from the values of `sources`: in a trace, a step that
    /// computes it again from the replayed values.
    static func derivedConstant(_ op: String, from sources: [Variable],
                                _ make: @escaping ([Tensor<Scalar>]) -> Tensor<Scalar>) -> Variable {
        let result = Variable(value: make(sources.map(\.value)))
        guard sources.contains(where: { $0.isTraced || $0.requiresGrad }),
              let tracer = GradientMode.current.tracer(of: Scalar.self) else { return result }
        result.isTraced = true
        tracer.expectKernel(for: result, op: op, inputs: sources)
        tracer.attach({ arguments, _ in make(arguments) }, to: result)
        return result
    }

    /// Notes `constant`, which the op that made this traced variable froze into its kernel, for
    /// the comparison of two tracing calls.
    func noteConstantInTrace(_ constant: Tensor<Scalar>) {
        GradientMode.current.tracer(of: Scalar.self)?.noteConstant(constant)
    }

    /// Notes `indices` (flat positions, from labels or from shapes) that the op that made this
    /// variable froze into its kernel, for the comparison of two tracing calls; returns self.
    @inline(__always)
    func notingInTrace(_ indices: [Int]) -> Variable {
        if isTraced { GradientMode.current.tracer(of: Scalar.self)?.noteIndices(indices) }
        return self
    }

    /// Stops a trace with `reason` when one is being recorded: for an op whose result depends on
    /// a value in a way no kernel of the trace would repeat.
    static func refuseInTrace(_ reason: @autoclosure () -> String) {
        GradientMode.current.tracer(of: Scalar.self)?.refuse(reason())
    }
}
