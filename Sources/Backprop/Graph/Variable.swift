/// A node of the computation graph: a tensor value, its gradient, and the op that made it.
///
/// Operations on variables record themselves onto the tape when gradient
/// recording is on (see ``withoutGradients(_:)``) and at least one input
/// requires a gradient. Otherwise nothing is recorded and the result is a
/// plain constant. A recorded node holds its inputs strongly and nothing
/// holds it back, so the graph has no reference cycles: it is freed as soon
/// as the last variable that reaches it goes away.
public final class Variable<Scalar: TensorScalar> {
    /// Computes an op's input gradients from the gradient of its output.
    ///
    /// - Parameters:
    ///   - upstream: ∂L/∂output, shaped like the output.
    ///   - output: the op's result, for VJPs that reuse it (exp, tanh, …).
    /// - Returns: ∂L/∂input for each input in order, shaped like that input, or
    ///   nil for an input that gets no gradient. Written with differentiable
    ///   Variable ops, so that gradients of gradients work.
    public typealias VJP = (_ upstream: Variable, _ output: Variable) -> [Variable?]

    /// The value. Setting it (an optimizer's update) keeps the node's identity.
    ///
    /// Setting it between a forward pass and its `backward()` while a recorded op still needs
    /// the old value makes the sweep stop with a message, rather than compute wrong gradients.
    public var value: Tensor<Scalar> {
        @inline(__always) get { storedValue }
        set {
            storedValue = newValue
            version &+= 1
        }
        // In place: an optimizer's `parameter.value.update(…)` from another module writes into
        // the tensor's storage, where a `didSet` observer would make it update a copy.
        _modify {
            yield &storedValue
            version &+= 1
        }
    }
    @exclusivity(unchecked) private var storedValue: Tensor<Scalar>

    /// How many times ``value`` was set: a recorded op notes its inputs' counts, and the sweep
    /// compares them, as PyTorch's version counter does.
    @exclusivity(unchecked) private(set) var version: UInt32 = 0

    /// The accumulated gradient of a leaf, summed over backward calls until ``zeroGrad()``.
    public var grad: Tensor<Scalar>?

    /// Whether gradients flow to this variable.
    @exclusivity(unchecked) public var requiresGrad: Bool

    // `value`, `requiresGrad` and the graph's own fields skip the runtime's exclusivity
    // checks: every op reads them, one access at a time, on the one thread that builds or
    // sweeps a graph, and the checks cost a tenth of a small op's time. (A variable, like an
    // array, is not for writing on one thread while another reads it.) The record lives in
    // the node's own fields, not in a separate object: recording costs no extra allocation,
    // and the sweep reads one field without copying the rest.

    /// The name of the op that made this variable, or nil for a leaf. Kept after a sweep
    /// releases the record, for messages and DOT output.
    @exclusivity(unchecked) public internal(set) var op: String?

    /// The variables the value was computed from, while the record is held: the first two
    /// in fields of their own, so that recording an op of one or two inputs allocates nothing
    /// beside the node itself, and any more in an array (nil when there are none: a nil
    /// reference costs less to copy and destroy than the shared empty array).
    @exclusivity(unchecked) private var firstInput: Variable?
    @exclusivity(unchecked) private var secondInput: Variable?
    @exclusivity(unchecked) private var laterInputs: [Variable]?
    @exclusivity(unchecked) private(set) var inputCount = 0

    /// The op's VJP, while the record is held.
    @exclusivity(unchecked) var vjp: VJP?

    /// The op's rule on numbers (see `Variable+ScalarSweep.swift`): present when every input
    /// and the value hold one element and the op has one.
    @exclusivity(unchecked) var scalarVJP: ScalarVJP?

    /// Whether the record (inputs and VJP) is held: a plain flag, which `deinit` (never
    /// specialized) reads without instantiating generic metadata.
    @exclusivity(unchecked) private(set) var isRecorded = false

    /// Whether a compiled function's tracing call made this variable, or handed it in as an
    /// input: ops on it then give the trace their kernels.
    @exclusivity(unchecked) var isTraced = false

    /// Whether the op's VJP reads its inputs' values or its own (most do; a sum or a reshape
    /// does not), and the inputs' ``version`` counts when it was recorded: the first two, and
    /// the sum of the rest (counts only grow, so a changed one changes the sum).
    @exclusivity(unchecked) private(set) var savesValues = false
    @exclusivity(unchecked) private(set) var savedVersions: (first: UInt32, second: UInt32, later: UInt32) = (0, 0, 0)

    /// What hooks, ``retainGrad()`` and ``detectingAnomalies(_:)`` attach to this node; nil for
    /// almost every node. Held by an unmanaged reference, a plain field that `deinit` releases by
    /// hand when set: a managed optional would cost every node a release call as it dies.
    @exclusivity(unchecked) private var annotationsReference: Unmanaged<NodeAnnotations<Scalar>>?

    /// This node's annotations, if any were attached.
    var annotations: NodeAnnotations<Scalar>? { annotationsReference?.takeUnretainedValue() }

    /// Whether annotations were attached: read by the scalar fast path, which they turn off.
    var hasAnnotations: Bool { annotationsReference != nil }

    /// This node's annotations, made on first use.
    var madeAnnotations: NodeAnnotations<Scalar> {
        if let annotations { return annotations }
        let made = NodeAnnotations<Scalar>()
        annotationsReference = .passRetained(made)
        return made
    }

    /// Scratch space of the backward sweep, used in a recorded node only: the gradient summed
    /// so far, and a visit mark. A leaf may be shared by graphs that other threads sweep, so a
    /// sweep keeps a leaf's in a table of its own (``LeafGradients``) and writes nothing into it.
    @exclusivity(unchecked) var pending = PendingGradient<Scalar>()
    @exclusivity(unchecked) var isVisited = false

    /// Creates a leaf variable holding `value`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(_ value: Tensor<Scalar>, requiresGrad: Bool = false) {
        storedValue = value
        self.requiresGrad = requiresGrad
        // Inside a tracing call, a constant is noted: the next tracing call must make the same one.
        if !requiresGrad, let tracer = GradientMode.current.tracer(of: Scalar.self) { tracer.noteConstant(value) }
    }

    /// Creates a constant that a trace does not note: one whose value a trace step recomputes.
    init(value: Tensor<Scalar>) {
        storedValue = value
        self.requiresGrad = false
    }

    /// Creates a 0-d leaf variable holding `scalar`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public convenience init(_ scalar: Scalar, requiresGrad: Bool = false) {
        self.init(Tensor(scalar), requiresGrad: requiresGrad)
    }

    /// Creates the result of a primitive op, recording it when recording is on
    /// and some input requires a gradient.
    ///
    /// This is the extension point for new primitive ops: compute the forward
    /// on tensors, then pass the inputs and a VJP. See `Docs/AddingAnOp.md`.
    ///
    /// - Parameters:
    ///   - value: the op's result, computed from the inputs' values.
    ///   - op: a short name, shown in messages and in DOT output.
    ///   - inputs: the variables the value was computed from.
    ///   - vjp: maps ∂L/∂output to ∂L/∂input for each input; it must not capture the result.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public convenience init(_ value: Tensor<Scalar>, recordedAs op: String, inputs: [Variable], vjp: @escaping VJP) {
        self.init(value, recordedAs: op, inputs: inputs, vjp: vjp, scalarVJP: nil)
    }

    /// Creates the result of a primitive op whose VJP may read no value (`savesValues: false`):
    /// a sum, a reshape, a copy of elements. Setting an input's value before the sweep is then harmless.
    convenience init(_ value: Tensor<Scalar>, recordedAs op: String, inputs: [Variable], savesValues: Bool,
                     vjp: @escaping VJP) {
        self.init(value, recordedAs: op, inputs: inputs, savesValues: savesValues, vjp: vjp, scalarVJP: nil)
    }

    /// Creates the result of a primitive op of any number of inputs, with a rule on numbers
    /// for when the value and every input hold one element.
    convenience init(_ value: Tensor<Scalar>, recordedAs op: String, inputs: [Variable], savesValues: Bool = true,
                     vjp: @escaping VJP, scalarVJP: ScalarVJP?) {
        guard let first = inputs.first else {
            self.init(value)
            return
        }
        self.init(value, recordedAs: op, first, inputs.count > 1 ? inputs[1] : nil, later: Array(inputs.dropFirst(2)),
                  savesValues: savesValues, vjp: vjp, scalarVJP: scalarVJP)
    }

    /// Creates the result of a primitive op of one or two inputs (`x`, then `y`, then
    /// `later`), with a rule on numbers for when the value and every input hold one element.
    /// Arithmetic and the elementwise functions call it directly, with no inputs array.
    /// `savesValues` is false for an op whose VJP reads no input's value and not its own.
    @inline(__always)
    init(_ value: Tensor<Scalar>, recordedAs op: String, _ x: Variable, _ y: Variable? = nil, later: [Variable] = [],
         savesValues: Bool = true, vjp: @escaping VJP, scalarVJP: ScalarVJP?) {
        storedValue = value
        let anyRequiresGrad = x.requiresGrad || y?.requiresGrad == true || later.contains { $0.requiresGrad }
        // Traced inputs are read only when no input requires a gradient: the mode is read anyway otherwise.
        let readsMode = anyRequiresGrad || x.isTraced || y?.isTraced == true || later.contains { $0.isTraced }
        let mode = readsMode ? GradientMode.current : GradientMode(isRecording: false)
        if mode.isRecording && anyRequiresGrad {
            requiresGrad = true
            if savesValues {
                self.savesValues = true
                savedVersions = (x.version, y?.version ?? 0, later.isEmpty ? 0 : later.reduce(0) { $0 &+ $1.version })
            }
            self.op = op
            firstInput = x
            secondInput = y
            laterInputs = later.isEmpty ? nil : later
            inputCount = (y == nil ? 1 : 2) + later.count
            self.vjp = vjp
            let isScalar = value.count == 1 && later.isEmpty && x.value.count == 1 && (y?.value.count ?? 1) == 1
            self.scalarVJP = isScalar ? scalarVJP : nil
            isRecorded = true
            if mode.detectsAnomalies { mode.anomalyDetector?.checkForward(self) }
        } else {
            requiresGrad = false
        }
        if mode.isTracing { noteInTrace(op: op, x, y, later: later) }
    }

    /// Records this node again, as the result of a new call of the op that made it: `value`, on
    /// `x`, `y` and `later`, with `vjp`, as the initializer records a new one. For a compiled
    /// function's result, which its next call reuses once nothing else holds it (recording is on
    /// and the inputs require gradients: the call was traced so).
    func recordAgain(_ value: Tensor<Scalar>, _ x: Variable, _ y: Variable?, later: [Variable], vjp: @escaping VJP) {
        self.value = value
        version = 0
        grad = nil
        savesValues = true
        savedVersions = (x.version, y?.version ?? 0, later.isEmpty ? 0 : later.reduce(0) { $0 &+ $1.version })
        firstInput = x
        secondInput = y
        laterInputs = later.isEmpty ? nil : later
        inputCount = (y == nil ? 1 : 2) + later.count
        self.vjp = vjp
        isRecorded = true
        let mode = GradientMode.current
        if mode.detectsAnomalies { mode.anomalyDetector?.checkForward(self) }
    }

    /// Marks this new result as traced and tells the trace being recorded that its kernel follows;
    /// kept out of line, so that the ops' eager path stays as short as it was.
    @inline(never)
    private func noteInTrace(op: String, _ x: Variable, _ y: Variable?, later: [Variable]) {
        isTraced = true
        GradientMode.current.tracer(of: Scalar.self)?.expectKernel(for: self, op: op, inputs: [x] + (y.map { [$0] } ?? []) + later)
    }

    /// Whether an op on `x` is recorded now, or traced. An op whose VJP closure captures a value (a
    /// constant factor, relu's mask) checks first and returns `Variable(value)` when not,
    /// before it allocates a closure that would go unused. Ops whose closures capture
    /// nothing leave the check to the initializer: reading the recording flag is a
    /// task-local lookup, the dearest part of recording a scalar op, so it is done once.
    @inline(__always)
    static func isRecorded(on x: Variable) -> Bool {
        guard x.requiresGrad || x.isTraced else { return false }
        let mode = GradientMode.current
        return x.requiresGrad && mode.isRecording || mode.isTracing
    }

    /// Frees the graph behind this node iteratively: releasing a 100,000-op
    /// chain by recursive deinitialization would overflow the stack.
    deinit {
        annotationsReference?.release()
        guard isRecorded else { return }
        var pending = inputs
        releaseRecord()
        while var node = pending.popLast() {
            // Only a node nothing else holds dies here; take its inputs before it goes.
            if node.isRecorded && isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.inputs)
                node.releaseRecord()
            }
        }
    }

    /// Drops the record, keeping the op's name: the inputs and the VJP (and whatever it
    /// captured) are released.
    func releaseRecord() {
        firstInput = nil
        secondInput = nil
        laterInputs = nil
        inputCount = 0
        vjp = nil
        scalarVJP = nil
        isRecorded = false
    }

    /// Stops with a message if a value this node's VJP reads was set after the op was recorded:
    /// the VJP would compute the gradient of a function that was never evaluated.
    @inline(__always)
    func checkSavedValues() {
        guard savesValues else { return }
        let version = { (i: Int) in self.unretainedInput(i)._withUnsafeGuaranteedRef { $0.version } }
        if self.version != 0 {
            stopForChangedValue(of: "its own result", shape: describe(shape))
        }
        if version(0) != savedVersions.first {
            stopForChangedValue(of: "input 0", shape: describe(input(0).shape))
        }
        if inputCount > 1 && version(1) != savedVersions.second {
            stopForChangedValue(of: "input 1", shape: describe(input(1).shape))
        }
        if inputCount > 2 && (2..<inputCount).reduce(0, { $0 &+ version($1) }) != savedVersions.later {
            stopForChangedValue(of: "one of inputs 2…\(inputCount - 1)",
                                shape: (2..<inputCount).map { describe(input($0).shape) }.joined(separator: ", "))
        }
    }

    private func stopForChangedValue(of which: String, shape: String) -> Never {
        programmerError("backward: '\(op ?? "")' needs the value of \(which), of shape \(shape), as it was in the "
                        + "forward pass, but the value was set since (an optimizer step, or an assignment to `value`, "
                        + "between the forward pass and backward()); run the forward pass again after changing it")
    }

    /// The value's shape.
    public var shape: [Int] { value.shape }

    /// The only element of a value that holds exactly one.
    public var scalar: Scalar { value.scalar }

    /// Whether the user created this variable, rather than an op.
    public var isLeaf: Bool { op == nil }

    /// Input `i` of a recorded node: VJPs of the library's ops read their inputs from the
    /// output this way rather than capture them, so recording allocates no closure context.
    @inline(__always)
    func input(_ i: Int) -> Variable {
        switch i {
        case 0: return firstInput.unsafelyUnwrapped
        case 1: return secondInput.unsafelyUnwrapped
        default: return laterInputs.unsafelyUnwrapped[i - 2]
        }
    }

    /// Input `i` of a recorded node, unretained: valid while this node holds its record.
    @inline(__always)
    func unretainedInput(_ i: Int) -> Unmanaged<Variable> {
        switch i {
        case 0: return firstInput.map(Unmanaged.passUnretained).unsafelyUnwrapped
        case 1: return secondInput.map(Unmanaged.passUnretained).unsafelyUnwrapped
        default: return laterInputs.unsafelyUnwrapped.withUnsafeBufferPointer { Unmanaged.passUnretained($0[i - 2]) }
        }
    }

    /// The inputs of a recorded node in order; empty for a leaf and once released.
    var inputs: [Variable] { (0..<inputCount).map(input) }

    /// The variables this one was computed from, in order, while its record is held: empty for a
    /// leaf, for a constant, and once a sweep without `retainGraph` has released the record.
    public var recordedInputs: [Variable] { inputs }

    /// The name of an op whose record an earlier sweep released, or nil.
    var releasedOp: String? { isRecorded ? nil : op }

    /// Clears the accumulated gradient.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func zeroGrad() { grad = nil }

    /// A constant with the same value, cut from the graph: no gradient flows through it.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func detached() -> Variable { Variable(value) }
}

extension Variable: CustomStringConvertible {
    /// The value, followed by the op that made it.
    public var description: String {
        let suffix = op.map { ", op: \($0)" } ?? (requiresGrad ? ", requiresGrad: true" : "")
        return "Variable(\(value)\(suffix))"
    }
}
