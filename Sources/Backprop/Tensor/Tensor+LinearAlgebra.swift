/// The matrix product of two 2-d tensors, or of two batches of matrices (3-d, same batch size).
public func matmul<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
    matmul(a, transposed: false, b, transposed: false)
}

/// `op(a) · op(b)`, where `op` swaps the last two axes of an operand whose flag is set.
func matmul<S: TensorScalar>(_ a: Tensor<S>, transposed transposeA: Bool, _ b: Tensor<S>, transposed transposeB: Bool) -> Tensor<S> {
    let product = checked { () throws(ShapeError) in
        try Shapes.matmul(a.shape, transposed: transposeA, b.shape, transposed: transposeB)
    }
    let (batch, m, n, k) = (product.batch, product.m, product.n, product.k)
    let outShape = a.rank == 3 ? [batch, m, n] : [m, n]
    return a.withBuffer { aBuffer in
        b.withBuffer { bBuffer in
            Tensor(shape: outShape) { out in
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
