/// The Jacobian of a function: every ∂f(x)ᵢ/∂xⱼ, of shape `f(x).shape + point.shape`.
///
/// Built a row at a time: one evaluation of `f`, then one reverse sweep per element of
/// f(x) over the same recorded graph. Cheapest when f(x) has few elements; for one
/// direction, ``jvp(at:tangent:of:)`` or ``vjp(at:of:)`` cost a sweep or two instead.
///
/// - Parameters:
///   - point: where to differentiate, x.
///   - f: a function of one variable, with a result of any shape.
/// - Returns: J with J[i…, j…] = ∂f(x)[i…]/∂x[j…]; zeros when f(x) does not depend on x.
@specialized(where S == Float)
@specialized(where S == Double)
public func jacobian<S: TensorScalar>(at point: Tensor<S>, of f: (Variable<S>) -> Variable<S>) -> Tensor<S> {
    let (input, output) = evaluate(f, at: point)
    return jacobian(of: output, wrt: input)
}

/// The Hessian of a function that returns one element: every ∂²f/∂xᵢ∂xⱼ, of shape
/// `point.shape + point.shape`.
///
/// The Jacobian of the gradient: one evaluation of `f`, one reverse sweep that records
/// the gradient, then one reverse sweep of that record per element of x. The two halves
/// agree to rounding, and are averaged so that the result is exactly symmetric.
///
/// - Parameters:
///   - point: where to differentiate, x.
///   - f: a function of one variable whose result holds one element.
/// - Returns: H with H[i…, j…] = ∂²f/∂x[i…]∂x[j…]; zeros for an f that is linear in x.
/// - Precondition: the result of `f` holds one element: otherwise the program stops with
///   a message naming `hessian(at:of:)` and the result's shape.
@specialized(where S == Float)
@specialized(where S == Double)
public func hessian<S: TensorScalar>(at point: Tensor<S>, of f: (Variable<S>) -> Variable<S>) -> Tensor<S> {
    let (input, output) = evaluate(f, at: point)
    checked { () throws(ShapeError) in try Shapes.oneElement(output.shape, op: "hessian(at:of:)") }
    let gradient = vectorJacobianProduct(of: output, wrt: input, seed: nil, createGraph: true)
    var entries = jacobian(of: gradient, wrt: input).scalars
    let n = point.count
    for i in 0..<n {
        for j in (i + 1)..<n {
            let mean = (entries[i * n + j] + entries[j * n + i]) / 2
            entries[i * n + j] = mean
            entries[j * n + i] = mean
        }
    }
    return Tensor(shape: point.shape + point.shape, scalars: entries)
}

/// The Hessian of a function that returns one element, times a vector: H v, without forming H.
///
/// Costs one evaluation of `f` and two reverse sweeps: the first records the gradient
/// g = ∇f, the second differentiates ⟨g, v⟩, whose gradient is Hᵀv = H v.
///
/// - Parameters:
///   - point: where to differentiate, x.
///   - vector: v, shaped like `point`.
///   - f: a function of one variable whose result holds one element.
/// - Returns: Σⱼ ∂²f/∂xᵢ∂xⱼ vⱼ, shaped like `point`.
/// - Precondition: the result of `f` holds one element, and `vector` has the shape of
///   `point`: otherwise the program stops with a message naming
///   `hessianVectorProduct(at:vector:of:)` and the shapes.
@specialized(where S == Float)
@specialized(where S == Double)
public func hessianVectorProduct<S: TensorScalar>(
    at point: Tensor<S>, vector: Tensor<S>, of f: (Variable<S>) -> Variable<S>
) -> Tensor<S> {
    let op = "hessianVectorProduct(at:vector:of:)"
    checked { () throws(ShapeError) in try Shapes.matching(vector.shape, point.shape, what: "a vector", of: "a point", op: op) }
    let (input, output) = evaluate(f, at: point)
    checked { () throws(ShapeError) in try Shapes.oneElement(output.shape, op: op) }
    let gradient = vectorJacobianProduct(of: output, wrt: input, seed: nil, createGraph: true)
    return vectorJacobianProduct(of: gradient, wrt: input, seed: vector).value
}

/// The Jacobian of `output` with respect to `input`, one reverse sweep per element of
/// `output`, each seeded with a unit vector and keeping the graph for the next.
func jacobian<S: TensorScalar>(of output: Variable<S>, wrt input: Variable<S>) -> Tensor<S> {
    let rows = output.value.count
    guard output.requiresGrad, rows > 0 else { return Tensor.zeros(output.shape + input.shape) }
    var entries: [S] = []
    entries.reserveCapacity(rows * input.value.count)
    var unit = [S](repeating: 0, count: rows)
    for i in 0..<rows {
        unit[i] = 1
        let seed = Tensor(shape: output.shape, scalars: unit)
        unit[i] = 0
        // The last row may free the graph.
        entries += vectorJacobianProduct(of: output, wrt: input, seed: seed, retainGraph: i < rows - 1).value.scalars
    }
    return Tensor(shape: output.shape + input.shape, scalars: entries)
}
