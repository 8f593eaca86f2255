// A trace of one-element values (a chain of scalars, a physics residual on numbers) replayed
// on plain numbers. Each of its steps is elementwise: a unary or binary kernel, whose tensor
// form on a one-element tensor computes `apply(op, element)`, or the identity (a reshape). The
// program applies the same functions to the same numbers in the same order, so it gives the
// tensors' bits, without a tensor, a closure call or an allocation per step.

/// What an elementwise step computes, when it is one.
enum ElementwiseForm<Scalar: TensorScalar> {
    case unary(UnaryKernel<Scalar>)
    case binary(BinaryKernel)
    /// On one element, the value unchanged: a reshape, or a broadcast of one element to one.
    /// A step of this form keeps its own tensor kernel (which sets the shape).
    case identity

    /// The step's kernel on tensors, the eager op's own computation (into the step's buffer when
    /// it can be reused); for `.unary` and `.binary`.
    var kernel: ([Tensor<Scalar>], ReusableOutput<Scalar>) -> Tensor<Scalar> {
        switch self {
        case .unary(let op): return { $0[0].map(op, reusing: $1) }
        case .binary(let op):
            let name = "\(op)"    // for messages only; formed once, not at every replay
            return { $0[0].combining($0[1], op, name: name, reusing: $1) }
        case .identity: preconditionFailure("an identity step keeps its own kernel")
        }
    }
}

/// A trace's steps on numbers, with its slots in one buffer.
struct ScalarProgram<Scalar: TensorScalar> {
    private struct Step {
        let form: ElementwiseForm<Scalar>
        let first: Int, second: Int, output: Int
    }

    private let forward: [Step], backward: [Step]

    /// The program of `tracer`'s steps, or nil unless every slot holds one element and every
    /// step is elementwise.
    init?(_ tracer: Tracer<Scalar>) {
        guard tracer.slotShapes.allSatisfy({ $0.reduce(1, *) == 1 }) else { return nil }
        var steps: [Step] = []
        for step in tracer.steps {
            guard let form = step.form else { return nil }
            steps.append(Step(form: form, first: step.inputs[0], second: step.inputs.count > 1 ? step.inputs[1] : step.inputs[0],
                              output: step.output))
        }
        forward = Array(steps[..<tracer.forwardCount])
        backward = Array(steps[tracer.forwardCount...])
    }

    /// Runs the forward steps, or the backward ones, on `values`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    func run(backward isBackward: Bool, on values: UnsafeMutableBufferPointer<Scalar>) {
        let steps = isBackward ? backward : forward
        steps.withUnsafeBufferPointer { steps in
            for step in steps {
                switch step.form {
                case .unary(let op): values[step.output] = apply(op, values[step.first])
                case .binary(let op): values[step.output] = apply(op, values[step.first], values[step.second])
                case .identity: values[step.output] = values[step.first]
                }
            }
        }
    }
}
