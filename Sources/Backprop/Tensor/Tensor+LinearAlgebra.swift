/// The matrix product with `torch.matmul`'s semantics.
///
/// - 2-d × 2-d: `[m, k] × [k, n] → [m, n]`.
/// - 1-d operands: a vector `[k]` on the left acts as `[1, k]`, on the right as `[k, 1]`,
///   and that axis is dropped from the result: `[k] × [k] → []`, `[m, k] × [k] → [m]`.
/// - N-d: the last two axes are the matrices, the leading ones batch axes, broadcast by
///   NumPy's rules: `[b, h, t, d] × [b, h, d, s] → [b, h, t, s]`, `[b, t, d] × [d, e] → [b, t, e]`,
///   `[1, h, t, d] × [b, 1, d, s] → [b, h, t, s]`.
///
/// Stops with a message naming both shapes if an operand is 0-d, the inner sizes differ or
/// the batch axes do not broadcast.
@specialized(where S == Float)
@specialized(where S == Double)
public func matmul<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
    if (a.rank == 2 && b.rank == 2) || (a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0]) {
        return matmul(a, transposed: false, b, transposed: false)
    }
    let plan = checked { () throws(ShapeError) in try Shapes.matmulPlan(a.shape, b.shape) }
    let product = matmul(plan.left.prepare(a), transposed: false, plan.right.prepare(b), transposed: false)
    return product.reshaped(plan.outShape)
}

/// `op(a) · op(b)`, where `op` swaps the last two axes of an operand whose flag is set (into
/// `output`'s buffer if it can be reused).
func matmul<S: TensorScalar>(_ a: Tensor<S>, transposed transposeA: Bool, _ b: Tensor<S>, transposed transposeB: Bool,
                             reusing output: ReusableOutput<S>? = nil) -> Tensor<S> {
    let product = checked { () throws(ShapeError) in
        try Shapes.matmul(a.shape, transposed: transposeA, b.shape, transposed: transposeB)
    }
    let (batch, m, n, k) = (product.batch, product.m, product.n, product.k)
    return a.withBuffer { aBuffer in
        b.withBuffer { bBuffer in
            Tensor(shape: a.rank == 3 ? [batch, m, n] : [m, n], reusing: output) { out in
                // One call for the whole batch, so that small matrices can be spread over threads.
                S._run(.gemm(aBuffer, transposeA: transposeA, bBuffer, transposeB: transposeB,
                             batch: batch, m: m, n: n, k: k, out))
            }
        }
    }
}

extension Shapes {
    struct Product: Equatable { let batch, m, n, k: Int }

    /// Checks the operands of a matrix product and returns its sizes.
    static func matmul(_ a: [Int], transposed transposeA: Bool = false,
                       _ b: [Int], transposed transposeB: Bool = false) throws(ShapeError) -> Product {
        // Built only for a message: matmul runs this check on every call.
        var shown: String { "\(describe(a))\(transposeA ? "ᵀ" : "") × \(describe(b))\(transposeB ? "ᵀ" : "")" }
        guard (a.count == 2 && b.count == 2) || (a.count == 3 && b.count == 3) else {
            throw ShapeError("matmul", "\(shown): operands must both be 2-d or both 3-d (batched)")
        }
        let batch = a.count == 3 ? a[0] : 1
        if a.count == 3 && a[0] != b[0] {
            throw ShapeError("matmul", "\(shown): batch sizes \(a[0]) and \(b[0]) differ")
        }
        let r = a.count
        let (m, ka) = transposeA ? (a[r - 1], a[r - 2]) : (a[r - 2], a[r - 1])
        let (kb, n) = transposeB ? (b[r - 1], b[r - 2]) : (b[r - 2], b[r - 1])
        guard ka == kb else { throw ShapeError("matmul", "\(shown): inner dimensions \(ka) and \(kb) differ") }
        return Product(batch: batch, m: m, n: n, k: ka)
    }
}

/// How `matmul(_:_:)` maps operands of any rank onto one GEMM call: each operand is
/// reshaped (a vector to a one-row or one-column matrix), broadcast over the batch axes when
/// they differ, and flattened to a 2-d or 3-d operand; the product is reshaped to `outShape`.
struct MatmulPlan: Equatable {
    struct Operand: Equatable {
        /// The operand as a matrix or a batch of them (a vector gains its size-1 axis).
        var shape: [Int]
        /// The batch-broadcast shape, or nil when the operand's own batch axes serve.
        var broadcast: [Int]?
        /// The 2-d or 3-d shape the GEMM reads.
        var flat: [Int]

        func prepare<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
            var x = x.shape == shape ? x : x.reshaped(shape)
            if let broadcast { x = x.broadcast(to: broadcast) }
            return x.shape == flat ? x : x.reshaped(flat)
        }
    }

    var left: Operand
    var right: Operand
    var outShape: [Int]
}

extension Shapes {
    /// Plans a `torch.matmul`-style product of operands of any rank of at least 1.
    static func matmulPlan(_ a: [Int], _ b: [Int]) throws(ShapeError) -> MatmulPlan {
        let shown = "\(describe(a)) × \(describe(b))"
        guard !a.isEmpty && !b.isEmpty else {
            throw ShapeError("matmul", "\(shown): a 0-d operand has no matrix axes; multiply by a scalar instead")
        }
        let aMatrix = a.count == 1 ? [1, a[0]] : Array(a.suffix(2))
        let bMatrix = b.count == 1 ? [b[0], 1] : Array(b.suffix(2))
        let (m, k, n) = (aMatrix[0], aMatrix[1], bMatrix[1])
        guard k == bMatrix[0] else {
            throw ShapeError("matmul", "\(shown): inner dimensions \(k) and \(bMatrix[0]) differ")
        }
        let aBatch = Array(a.dropLast(2)), bBatch = Array(b.dropLast(2))
        let batch: [Int]
        do { batch = try broadcast(aBatch, bBatch, op: "matmul") } catch {
            throw ShapeError("matmul", "\(shown): batch axes \(describe(aBatch)) and \(describe(bBatch)) do not broadcast")
        }
        let outShape = batch + (a.count == 1 ? [] : [m]) + (b.count == 1 ? [] : [n])
        let aShape = a.count == 1 ? aMatrix : a, bShape = b.count == 1 ? bMatrix : b
        if count(bBatch) == 1 {
            // One right-hand matrix for every batch entry: one tall GEMM, with no copy.
            return MatmulPlan(left: .init(shape: aShape, broadcast: nil, flat: [count(aBatch) * m, k]),
                              right: .init(shape: bShape, broadcast: nil, flat: [k, n]), outShape: outShape)
        }
        // Otherwise a batched GEMM; an operand whose batch axes are stretched is copied out to
        // the full batch first, and its VJP (a broadcast's) sums the gradient back.
        let batchCount = count(batch)
        return MatmulPlan(
            left: .init(shape: aShape, broadcast: count(aBatch) == batchCount ? nil : batch + aMatrix, flat: [batchCount, m, k]),
            right: .init(shape: bShape, broadcast: count(bBatch) == batchCount ? nil : batch + bMatrix, flat: [batchCount, k, n]),
            outShape: outShape)
    }
}
