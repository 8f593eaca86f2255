// Einstein summation, composed of primitives (a gather for diagonals, sums, permutations,
// reshapes and the GEMM), so the sweep differentiates it to any order. The plan is in
// `EinsumPlan`: a contraction becomes the one GEMM that `matmul` would run.

/// Einstein summation over one or two operands, with an explicit output: `"bij,bjk->bik"`.
///
/// Each operand's term names its axes with one letter each. An index repeated within a term
/// takes that operand's diagonal (`"ii->i"`); an index missing from the output is summed over
/// (`"ii->"` is the trace, `"i,i->"` the dot product); the output lists the remaining indices
/// in any order (`"ij->ji"`). Contractions run as one batched GEMM: `"bhtd,bhsd->bhts"` costs
/// what `matmul(q, k.transposed())` does, with no transposed copy.
///
/// Stops with a message naming the equation and the shapes if the equation is malformed, the
/// terms do not match the operands' ranks, or an index has two sizes. Spaces are ignored;
/// an ellipsis (`...`) is not supported.
@specialized(where S == Float)
@specialized(where S == Double)
public func einsum<S: TensorScalar>(_ equation: String, _ operands: Variable<S>...) -> Variable<S> {
    einsum(equation, operands)
}

/// Einstein summation over one or two tensors: as the `Variable` form.
@specialized(where S == Float)
@specialized(where S == Double)
public func einsum<S: TensorScalar>(_ equation: String, _ operands: Tensor<S>...) -> Tensor<S> {
    // Constants record nothing: the same code, on plain values.
    einsum(equation, operands.map { Variable($0) }).value
}

func einsum<S: TensorScalar>(_ equation: String, _ operands: [Variable<S>]) -> Variable<S> {
    let plan = checked { () throws(ShapeError) in try Shapes.einsum(equation, operands.map(\.shape)) }
    let reduced = zip(operands, plan.reductions).map { x, reduction in
        var x = x
        if let diagonal = reduction.diagonal { x = x.gathering(flatIndices: diagonal.positions, shape: diagonal.shape, name: "diagonal") }
        return reduction.summedAxes.isEmpty ? x : x.sum(axes: reduction.summedAxes)
    }
    var result = reduced[0]
    if let contraction = plan.contraction {
        func prepare(_ factor: EinsumPlan.Factor) -> Variable<S> {
            var x = reduced[factor.operand]
            if let permutation = factor.permutation { x = x.permuted(permutation) }
            return x.shape == factor.flat ? x : x.reshaped(factor.flat)
        }
        let (left, right) = (contraction.left, contraction.right)
        result = matmul(prepare(left), transposed: left.transposed, prepare(right), transposed: right.transposed)
        if result.shape != contraction.productShape { result = result.reshaped(contraction.productShape) }
    }
    if let permutation = plan.outputPermutation { result = result.permuted(permutation) }
    return result
}
