/// The matrix product of two variables, with `torch.matmul`'s semantics.
///
/// - 2-d × 2-d: `[m, k] × [k, n] → [m, n]`.
/// - 1-d operands: a vector `[k]` on the left acts as `[1, k]`, on the right as `[k, 1]`,
///   and that axis is dropped from the result: `[k] × [k] → []`, `[m, k] × [k] → [m]`.
/// - N-d: the last two axes are the matrices, the leading ones batch axes, broadcast by
///   NumPy's rules: `[b, h, t, d] × [b, h, d, s] → [b, h, t, s]`, `[b, t, d] × [d, e] → [b, t, e]`
///   (one GEMM over all `b·t` rows), `[1, h, t, d] × [b, 1, d, s] → [b, h, t, s]`. The gradient of
///   an operand broadcast over batch axes is summed over them.
///
/// Stops with a message naming both shapes if an operand is 0-d, the inner sizes differ or
/// the batch axes do not broadcast.
@specialized(where S == Float)
@specialized(where S == Double)
public func matmul<S: TensorScalar>(_ a: Variable<S>, _ b: Variable<S>) -> Variable<S> {
    if a.shape.count == 2 && b.shape.count == 2 { return matmul(a, transposed: false, b, transposed: false) }
    let plan = checked { () throws(ShapeError) in try Shapes.matmulPlan(a.shape, b.shape) }
    let product = matmul(plan.left.prepare(a), transposed: false, plan.right.prepare(b), transposed: false)
    return product.shape == plan.outShape ? product : product.reshaped(plan.outShape)
}

extension MatmulPlan.Operand {
    /// The operand reshaped, broadcast and flattened for the GEMM; a broadcast's VJP sums
    /// the gradient back over the stretched batch axes.
    func prepare<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
        var x = x.shape == shape ? x : x.reshaped(shape)
        if let broadcast { x = x.broadcast(to: broadcast) }
        return x.shape == flat ? x : x.reshaped(flat)
    }
}

/// `op(a) · op(b)`, where `op` swaps the last two axes of an operand whose flag is set.
///
/// The VJPs use the transpose flags too, so no transposed copy is ever made.
func matmul<S: TensorScalar>(_ a: Variable<S>, transposed ta: Bool, _ b: Variable<S>, transposed tb: Bool) -> Variable<S> {
    let value = matmul(a.value, transposed: ta, b.value, transposed: tb)
    return Variable(value, recordedAs: "matmul", inputs: [a, b]) { g, _ in
        // Only the products some input needs: a constant operand (a batch of data, an
        // image's columns) costs no product at all.
        let (da, db): (Variable<S>?, Variable<S>?)
        switch (ta, tb) {
        case (false, false):    // C = A B:    dA = G Bᵀ,    dB = Aᵀ G
            da = a.requiresGrad ? matmul(g, transposed: false, b, transposed: true) : nil
            db = b.requiresGrad ? matmul(a, transposed: true, g, transposed: false) : nil
        case (true, false):     // C = Aᵀ B:   dA = B Gᵀ,    dB = A G
            da = a.requiresGrad ? matmul(b, transposed: false, g, transposed: true) : nil
            db = b.requiresGrad ? matmul(a, transposed: false, g, transposed: false) : nil
        case (false, true):     // C = A Bᵀ:   dA = G B,     dB = Gᵀ A
            da = a.requiresGrad ? matmul(g, transposed: false, b, transposed: false) : nil
            db = b.requiresGrad ? matmul(g, transposed: true, a, transposed: false) : nil
        case (true, true):      // C = Aᵀ Bᵀ:  dA = Bᵀ Gᵀ,   dB = Gᵀ Aᵀ
            da = a.requiresGrad ? matmul(b, transposed: true, g, transposed: true) : nil
            db = b.requiresGrad ? matmul(g, transposed: true, a, transposed: true) : nil
        }
        return [da, db]
    }.traced((ta, tb), reusing: { matmul($0[0], transposed: $2.0, $0[1], transposed: $2.1, reusing: $1) })
}

/// An activation that ``linear(_:weight:bias:activation:)`` applies in the same pass as the bias.
public enum LinearActivation: Sendable, Equatable {
    /// max(x, 0).
    case relu
    /// The hyperbolic tangent.
    case tanh
}

/// A fully connected map `activation(x · weightᵀ + bias)`, as PyTorch's `F.linear` followed
/// by the activation, without copying the transposed weight.
///
/// With both a bias and an activation, the two run as one fused kernel: one pass over the
/// output instead of two, and one tensor fewer.
///
/// - Parameters:
///   - input: `[…, in]`, any rank of at least 1.
///   - weight: `[out, in]`.
///   - bias: `[out]`, or nil.
///   - activation: applied last, or nil for none.
/// - Returns: `[…, out]`.
@specialized(where S == Float)
@specialized(where S == Double)
public func linear<S: TensorScalar>(_ input: Variable<S>, weight: Variable<S>, bias: Variable<S>? = nil,
                                    activation: LinearActivation? = nil) -> Variable<S> {
    guard weight.shape.count == 2, let features = input.shape.last, features == weight.shape[1] else {
        programmerError("linear: input \(describe(input.shape)) and weight \(describe(weight.shape)): "
                   + "the weight must be [out, in] with in equal to the input's last size")
    }
    let rows = input.shape.count == 2 ? input : input.reshaped([-1, features])
    var output = matmul(rows, transposed: false, weight, transposed: true)
    if let bias, let activation, bias.shape == [weight.shape[0]] {
        output = addingBias(output, bias, then: activation)
    } else {
        if let bias { output = output + bias }    // any shape that broadcasts
        switch activation {
        case .relu?: output = relu(output)
        case .tanh?: output = tanh(output)
        case nil: break
        }
    }
    return input.shape.count == 2 ? output : output.reshaped(Array(input.shape.dropLast()) + [weight.shape[0]])
}

/// `activation(x + bias)` for a matrix `x` and a bias along its rows: a primitive, for speed
/// (one fused kernel). Its VJP uses the output alone, through relu's and tanh's own.
private func addingBias<S: TensorScalar>(_ x: Variable<S>, _ bias: Variable<S>, then activation: LinearActivation) -> Variable<S> {
    let kernel: UnaryKernel<S> = activation == .relu ? .relu : .tanh
    let name = activation == .relu ? "addBias+relu" : "addBias+tanh"
    return Variable(x.value.addingBias(bias.value, then: kernel), recordedAs: name, inputs: [x, bias]) { g, output in
        let local = activation == .relu ? reluVJP(g, output) : tanhVJP(g, output: output)
        return [local, local.sum(toShape: bias.shape)]
    }.traced(kernel, reusing: { $0[0].addingBias($0[1], then: $2, reusing: $1) })
}
