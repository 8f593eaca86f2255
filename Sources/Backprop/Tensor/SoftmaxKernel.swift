// The fused log-softmax kernel: one task per row along the axis, in three passes over the
// row (its maximum, the sum of exponentials, the result) while it is in cache, instead of
// a maximum, a difference, an exponential, a sum, a logarithm and two more differences,
// each over the whole tensor.

extension Tensor where Scalar: TensorScalar {
    /// `x − m − log Σ exp(x − m)` along `axis`, m being the row's maximum (or 0 where that
    /// is not finite): exact for logits of any size.
    func logSoftmax(axis: Int, reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        let (outer, inner) = Shapes.outerAndInner(shape, around: axis)
        return withBuffer { x in
            Tensor(shape: shape, reusing: output) { out in
                Scalar._run(.logSoftmax(x, outer: outer, count: shape[axis], inner: inner, out))
            }
        }
    }
}

/// Log-softmax of `x` viewed as `[outer, count, inner]`, along the middle axis. Rows are split
/// across threads; each is computed by one thread in a fixed order.
func logSoftmaxKernel<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, outer: Int, count: Int, inner: Int,
                                       _ out: UnsafeMutableBufferPointer<S>) {
    forEachChunk(outer * inner, grain: Swift.max(1, parallelGrain / Swift.max(count, 1)),
                 job: LogSoftmaxJob(x: x, count: count, inner: inner, out: out))
}

private struct LogSoftmaxJob<S: TensorScalar>: ParallelJob {
    let x: UnsafeBufferPointer<S>, count: Int, inner: Int, out: UnsafeMutableBufferPointer<S>

    func run(_ rows: Range<Int>) {
        for row in rows {
            let (o, i) = row.quotientAndRemainder(dividingBy: inner)
            let start = o * count * inner + i
            var maximum = -S.infinity
            for c in 0..<count { maximum = Swift.max(maximum, x[start + c * inner]) }
            let shift = maximum.isFinite ? maximum : 0
            var total: S = 0
            if inner == 1, let base = out.baseAddress {
                // A contiguous row: its shifted values in the output first, then their
                // exponentials there in place, eight lanes at a time for Float.
                let row = base + start
                for c in 0..<count { row[c] = x[start + c] - shift }
                if vectorMap(.exp, row, row, count: count) {
                    for c in 0..<count { total += row[c] }
                } else {
                    for c in 0..<count { total += S.exp(row[c]) }
                }
            } else {
                for c in 0..<count { total += S.exp(x[start + c * inner] - shift) }
            }
            let logTotal = S.log(total)      // a NaN anywhere in the row makes the whole row NaN
            for c in 0..<count { out[start + c * inner] = (x[start + c * inner] - shift) - logTotal }
        }
    }
}
