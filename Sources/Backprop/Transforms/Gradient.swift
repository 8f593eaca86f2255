// Functional transforms: derivatives of a function `f` from `Variable` to `Variable`, taken at
// a point given as a `Tensor`, and returned as tensors. Each evaluates `f` once on a fresh leaf
// and sweeps the recorded graph with `gradients(of:wrt:)`: reverse mode throughout, and forward
// products by differentiating a reverse product again. The results are cut from the graph, so
// the transforms do not nest; `hessian` and `hessianVectorProduct` give the second order.
// They record even inside `withoutGradients`, which would leave nothing to differentiate.

/// The gradient of a function that returns one element: ∇f(x), shaped like `point`.
///
/// Costs one evaluation of `f` and one reverse sweep. An `f` whose result does not
/// depend on its argument has gradient zero.
///
/// - Parameters:
///   - point: where to differentiate, x.
///   - f: a function of one variable whose result holds one element; any shape of it
///     with one element (`[]`, `[1]`, `[1, 1]`) is accepted.
/// - Returns: ∂f/∂x, of `point`'s shape.
/// - Precondition: the result of `f` holds one element: otherwise the program stops with
///   a message naming `gradient(at:of:)` and the result's shape.
@specialized(where S == Float)
@specialized(where S == Double)
public func gradient<S: TensorScalar>(at point: Tensor<S>, of f: (Variable<S>) -> Variable<S>) -> Tensor<S> {
    valueWithGradient(at: point, of: f, op: "gradient(at:of:)").gradient
}

/// The value and gradient of a function that returns one element: f(x) as a 0-d tensor, and ∇f(x).
///
/// Costs one evaluation of `f` and one reverse sweep.
///
/// - Parameters:
///   - point: where to evaluate and differentiate, x.
///   - f: a function of one variable whose result holds one element.
/// - Returns: `value`, f(x) of shape `[]`, and `gradient`, ∂f/∂x of `point`'s shape.
/// - Precondition: the result of `f` holds one element: otherwise the program stops with
///   a message naming `valueWithGradient(at:of:)` and the result's shape.
@specialized(where S == Float)
@specialized(where S == Double)
public func valueWithGradient<S: TensorScalar>(
    at point: Tensor<S>, of f: (Variable<S>) -> Variable<S>
) -> (value: Tensor<S>, gradient: Tensor<S>) {
    valueWithGradient(at: point, of: f, op: "valueWithGradient(at:of:)")
}

/// ``valueWithGradient(at:of:)``, with messages naming `op`.
func valueWithGradient<S: TensorScalar>(
    at point: Tensor<S>, of f: (Variable<S>) -> Variable<S>, op: String
) -> (value: Tensor<S>, gradient: Tensor<S>) {
    let (input, output) = evaluate(f, at: point)
    checked { () throws(ShapeError) in try Shapes.oneElement(output.shape, op: op) }
    let gradient = vectorJacobianProduct(of: output, wrt: input, seed: nil)
    return (output.value.reshaped([]), gradient.value)
}

/// The value of a function and its pullback u ↦ uᵀJ, J = ∂f/∂x, the vector–Jacobian product.
///
/// Costs one evaluation of `f`, then one reverse sweep per call of the pullback. The
/// pullback keeps the recorded graph, and may be called any number of times, from one
/// thread at a time.
///
/// - Parameters:
///   - point: where to evaluate and differentiate, x.
///   - f: a function of one variable, with a result of any shape.
/// - Returns: `value`, f(x), and `pullback`, which maps a cotangent u shaped like f(x) to
///   Σᵢ uᵢ ∂fᵢ/∂x, shaped like `point`.
/// - Precondition: each cotangent has the shape of f(x): otherwise the program stops with
///   a message naming `vjp(at:of:)` and both shapes.
@specialized(where S == Float)
@specialized(where S == Double)
public func vjp<S: TensorScalar>(
    at point: Tensor<S>, of f: (Variable<S>) -> Variable<S>
) -> (value: Tensor<S>, pullback: (Tensor<S>) -> Tensor<S>) {
    let (input, output) = evaluate(f, at: point)
    let pullback = { (cotangent: Tensor<S>) -> Tensor<S> in
        checked { () throws(ShapeError) in
            try Shapes.matching(cotangent.shape, output.shape, what: "a cotangent", of: "a result", op: "vjp(at:of:)")
        }
        return vectorJacobianProduct(of: output, wrt: input, seed: cotangent, retainGraph: true).value
    }
    return (output.value, pullback)
}

/// Evaluates `f` on a fresh leaf holding `point` that requires a gradient, recording the graph
/// even where the caller turned recording off.
func evaluate<S: TensorScalar>(
    _ f: (Variable<S>) -> Variable<S>, at point: Tensor<S>
) -> (input: Variable<S>, output: Variable<S>) {
    let input = Variable(point, requiresGrad: true)
    let output = GradientMode.withRecording(true) { f(input) }
    return (input, output)
}

/// `gradients(of: output, wrt: [input], seed:…)`, or zeros when `output` depends on nothing
/// that requires a gradient (a constant, or a result computed from other values): there is
/// then no graph to sweep, and `gradients(of:wrt:)` would stop. As there, `retainGraph`
/// defaults to `createGraph`: a recorded sweep's ops hold nodes of the graph it swept.
func vectorJacobianProduct<S: TensorScalar>(
    of output: Variable<S>, wrt input: Variable<S>, seed: Tensor<S>?,
    createGraph: Bool = false, retainGraph: Bool? = nil
) -> Variable<S> {
    guard output.requiresGrad else { return Variable(Tensor.zeros(input.shape)) }
    return gradients(of: output, wrt: [input], seed: seed, createGraph: createGraph, retainGraph: retainGraph)[0]
}

extension Shapes {
    /// Checks that a function's result of `shape` holds one element, as `op` needs.
    static func oneElement(_ shape: [Int], op: String) throws(ShapeError) {
        guard count(shape) == 1 else {
            throw ShapeError(op, "f returned a result of shape \(describe(shape)); it must hold exactly one element")
        }
    }

    /// Checks that `what` of `shape` fits `of` of `expected`, as `op` needs.
    static func matching(_ shape: [Int], _ expected: [Int], what: String, of: String, op: String) throws(ShapeError) {
        guard shape == expected else {
            throw ShapeError(op, "\(what) of shape \(describe(shape)) for \(of) of shape \(describe(expected))")
        }
    }
}
