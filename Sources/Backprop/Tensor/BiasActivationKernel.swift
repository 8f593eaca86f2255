// The fused bias-add + activation kernel: `activation(x + bias)` over the rows of a matrix in
// one pass, instead of a broadcasting addition and then an activation, each a pass over the
// activations with a tensor of its own.

extension Tensor where Scalar: TensorScalar {
    /// `op(self + bias)`, `bias` added to every row (its length is this tensor's last size).
    func addingBias(_ bias: Tensor, then op: UnaryKernel<Scalar>, reusing output: ReusableOutput<Scalar>? = nil) -> Tensor {
        withBuffer { x in
            bias.withBuffer { b in
                Tensor(shape: shape, reusing: output) { out in Scalar._run(.biasActivation(op, x, bias: b, out)) }
            }
        }
    }
}

/// `out[r, c] = op(x[r, c] + bias[c])` for the rows of `x`, split across threads by rows.
func biasActivationKernel<S: TensorScalar>(_ op: UnaryKernel<S>, _ x: UnsafeBufferPointer<S>,
                                           bias: UnsafeBufferPointer<S>, _ out: UnsafeMutableBufferPointer<S>) {
    let columns = bias.count
    guard columns > 0 else { return }
    forEachChunk(out.count / columns, grain: Swift.max(1, parallelGrain / columns),
                 job: BiasActivationJob(op: op, x: x, bias: bias, out: out, columns: columns))
}

private struct BiasActivationJob<S: TensorScalar>: ParallelJob {
    let op: UnaryKernel<S>, x: UnsafeBufferPointer<S>, bias: UnsafeBufferPointer<S>, out: UnsafeMutableBufferPointer<S>
    let columns: Int

    func run(_ rows: Range<Int>) {
        for row in rows {
            let start = row * columns
            // The hot activations get their own loops, so that the compiler can vectorize them.
            switch op {
            case .relu: for c in 0..<columns { out[start + c] = Swift.max(x[start + c] + bias[c], 0) }
            default:
                // The sum first, then the activation over the row in place where it has a vector form.
                for c in 0..<columns { out[start + c] = x[start + c] + bias[c] }
                let row = out.baseAddress! + start
                if !vectorMap(op, row, row, count: columns) {
                    for c in 0..<columns { out[start + c] = apply(op, out[start + c]) }
                }
            }
        }
    }
}
