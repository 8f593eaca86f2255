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
    public var value: Tensor<Scalar>

    /// The accumulated gradient of a leaf, summed over backward calls until ``zeroGrad()``.
    public var grad: Tensor<Scalar>?

    /// Whether gradients flow to this variable.
    public var requiresGrad: Bool

    /// How the value came about.
    enum Origin {
        case leaf
        case recorded(Record)
        /// An interior node whose record the sweep has released; the string is the op's name.
        case released(String)
    }

    struct Record {
        let op: String
        let inputs: [Variable]
        let vjp: VJP
    }

    // The graph's own fields skip the runtime's exclusivity checks: they are read and written
    // only by this module, one access at a time, by the one thread that builds or sweeps a
    // graph, and the checks cost a tenth of a small op's time.

    @exclusivity(unchecked) var origin: Origin {
        didSet { isRecorded = record != nil }
    }

    /// Whether `origin` holds a record: a plain flag, which `deinit` (never specialized)
    /// reads without instantiating generic metadata.
    @exclusivity(unchecked) private var isRecorded = false

    /// Scratch space of the backward sweep: the gradient summed so far, and a visit mark.
    @exclusivity(unchecked) var pendingGradient: Variable?
    @exclusivity(unchecked) var isVisited = false

    /// Creates a leaf variable holding `value`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public init(_ value: Tensor<Scalar>, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.origin = .leaf
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
    public init(_ value: Tensor<Scalar>, recordedAs op: String, inputs: [Variable], vjp: @escaping VJP) {
        self.value = value
        if inputs.contains(where: { $0.requiresGrad }) && GradientMode.isRecording {
            requiresGrad = true
            origin = .recorded(Record(op: op, inputs: inputs, vjp: vjp))
            isRecorded = true
        } else {
            requiresGrad = false
            origin = .leaf
        }
    }

    /// Whether an op on `x` is recorded now. The ops that VJPs use most (arithmetic, relu's
    /// mask) check first and return `Variable(value)` when not, before they build an inputs
    /// array and a VJP closure that would go unused: a first-order sweep's own arithmetic
    /// then costs a tensor per op, not three allocations.
    @inline(__always)
    static func isRecorded(on x: Variable) -> Bool { x.requiresGrad && GradientMode.isRecording }

    /// Whether an op on `x` and `y` is recorded now.
    @inline(__always)
    static func isRecorded(on x: Variable, _ y: Variable) -> Bool {
        (x.requiresGrad || y.requiresGrad) && GradientMode.isRecording
    }

    /// Frees the graph behind this node iteratively: releasing a 100,000-op
    /// chain by recursive deinitialization would overflow the stack.
    deinit {
        guard isRecorded else { return }
        var pending = Variable.takeInputs(from: &origin)
        while var node = pending.popLast() {
            // Only a node nothing else holds dies here; take its inputs before it goes.
            if node.isRecorded && isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: Variable.takeInputs(from: &node.origin))
            }
        }
    }

    /// Turns a recorded origin into a leaf, returning its inputs; the record's VJP
    /// (and whatever it captured) is released on return.
    private static func takeInputs(from origin: inout Origin) -> [Variable] {
        guard case .recorded(let record) = origin else { return [] }
        origin = .leaf
        return record.inputs
    }

    /// The value's shape.
    public var shape: [Int] { value.shape }

    /// The only element of a value that holds exactly one.
    public var scalar: Scalar { value.scalar }

    /// Whether the user created this variable, rather than an op.
    public var isLeaf: Bool {
        if case .leaf = origin { return true }
        return false
    }

    /// The name of the op that made this variable, or nil for a leaf.
    public var op: String? {
        switch origin {
        case .leaf: return nil
        case .recorded(let record): return record.op
        case .released(let op): return op
        }
    }

    var record: Record? {
        if case .recorded(let record) = origin { return record }
        return nil
    }

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
