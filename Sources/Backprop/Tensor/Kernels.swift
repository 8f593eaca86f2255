/// An elementwise function of one tensor, with its parameters. Library-internal.
@_spi(Kernels) public enum UnaryKernel<Scalar: TensorScalar>: Sendable {
    case negate, exp, log, sqrt, abs, sign, sin, cos, tanh, erf, sigmoid, softplus, relu
    case power(Scalar)
    case add(Scalar)
    case multiply(Scalar)
    /// `scalar - x`.
    case subtractFrom(Scalar)
    /// `scalar / x`.
    case divide(Scalar)
    case clamp(Scalar, Scalar)
    /// 1 where `low < x < high`, else 0.
    case inside(Scalar, Scalar)
    case leakyRelu(Scalar)
    /// 1 where the element is positive, else the slope.
    case leakyReluSlope(Scalar)
}

/// An elementwise function of two broadcast tensors. Library-internal.
@_spi(Kernels) public enum BinaryKernel: Sendable {
    case add, subtract, multiply, divide, maximum, minimum
    /// Comparisons give 1 where they hold, else 0.
    case greater, greaterOrEqual, less, lessOrEqual, equal
    /// `a` where `b` is positive, else 0: the VJP of relu in one pass.
    case keepWherePositive
}

/// A reduction along one axis. Library-internal.
@_spi(Kernels) public enum ReductionKernel: Sendable {
    case sum, max, min
    /// The first position of the maximum along the axis, as a scalar.
    case argmax
    /// The first position of the minimum along the axis, as a scalar.
    case argmin
}

/// One kernel invocation with its operands. Library-internal: `TensorScalar._run` executes it.
@_spi(Kernels) public enum Kernel<Scalar: TensorScalar> {
    /// `out[i] = op(x[i])`.
    case map(UnaryKernel<Scalar>, UnsafeBufferPointer<Scalar>, UnsafeMutableBufferPointer<Scalar>)
    /// `out = op(lhs, rhs)` over `shape`, operands read through broadcast strides.
    case zip(BinaryKernel, StridedOperand<Scalar>, StridedOperand<Scalar>, shape: [Int], UnsafeMutableBufferPointer<Scalar>)
    /// `out[i] = op(lhs[i · lhsStride], rhs[i · rhsStride])`, each stride 1 or 0 (one broadcast value).
    case zipFlat(BinaryKernel, UnsafePointer<Scalar>, Int, UnsafePointer<Scalar>, Int, UnsafeMutableBufferPointer<Scalar>)
    /// `out[r, c] = op(x[r, c] + bias[c])` over the rows of `x`.
    case biasActivation(UnaryKernel<Scalar>, UnsafeBufferPointer<Scalar>, bias: UnsafeBufferPointer<Scalar>,
                        UnsafeMutableBufferPointer<Scalar>)
    /// Log-softmax along the middle axis of the input viewed as `[outer, count, inner]`.
    case logSoftmax(UnsafeBufferPointer<Scalar>, outer: Int, count: Int, inner: Int, UnsafeMutableBufferPointer<Scalar>)
    /// Reduces the middle axis of the input viewed as `[outer, count, inner]`.
    case reduce(ReductionKernel, UnsafeBufferPointer<Scalar>, outer: Int, count: Int, inner: Int, UnsafeMutableBufferPointer<Scalar>)
    /// `out[i] = op(a[i]) · op(b[i])` for `batch` row-major matrices, each `out[i]` being `[m, n]`.
    case gemm(UnsafeBufferPointer<Scalar>, transposeA: Bool, UnsafeBufferPointer<Scalar>, transposeB: Bool,
              batch: Int, m: Int, n: Int, k: Int, UnsafeMutableBufferPointer<Scalar>)
    /// ``zip(_:_:_:shape:_:)`` along a plan made once: a compiled replay's, which allocates nothing.
    case zipPlanned(BinaryKernel, UnsafePointer<Scalar>, UnsafePointer<Scalar>, UnsafePointer<ZipPlan>, UnsafeMutableBufferPointer<Scalar>)
    // The window cases point to the large `Windows` on the caller's stack: that keeps the enum,
    // which every kernel call copies, as small as the other cases (measured: 2% of
    // small-mlp-train's instructions were memcpy of a larger enum), with no box to allocate.
    /// im2col over an NCHW image.
    case imageToColumns(UnsafeBufferPointer<Scalar>, UnsafePointer<Windows>, UnsafeMutableBufferPointer<Scalar>)
    /// col2im, the adjoint of im2col.
    case columnsToImage(UnsafeBufferPointer<Scalar>, UnsafePointer<Windows>, UnsafeMutableBufferPointer<Scalar>)
    /// Max pooling: each window's maximum, and its flat input position.
    case maxPool(UnsafeBufferPointer<Scalar>, UnsafePointer<Windows>, UnsafeMutableBufferPointer<Scalar>,
                 positions: UnsafeMutableBufferPointer<Int>)
    /// `out[indices[i]] += source[i]`, skipping negative indices.
    case scatterAdd(UnsafeBufferPointer<Scalar>, indices: UnsafeBufferPointer<Int>, UnsafeMutableBufferPointer<Scalar>)
}

/// Executes a kernel; called from each scalar type's `_run`, so it is specialized per type.
@inline(__always)
func run<S: TensorScalar>(_ kernel: Kernel<S>) {
    switch kernel {
    case let .map(op, x, out): mapKernel(op, x, out)
    case let .zip(op, lhs, rhs, shape, out):
        zipKernel(op, lhs.base, rhs.base, ZipPlan(shape: shape, lhs: lhs.strides, rhs: rhs.strides), out)
    case let .zipPlanned(op, lhs, rhs, plan, out): zipKernel(op, lhs, rhs, plan.pointee, out)
    case let .zipFlat(op, lhs, lhsStride, rhs, rhsStride, out): zipFlatKernel(op, lhs, lhsStride, rhs, rhsStride, out)
    case let .reduce(op, x, outer, count, inner, out): reduceKernel(op, x, outer: outer, count: count, inner: inner, out)
    case let .logSoftmax(x, outer, count, inner, out): logSoftmaxKernel(x, outer: outer, count: count, inner: inner, out)
    case let .biasActivation(op, x, bias, out): biasActivationKernel(op, x, bias: bias, out)
    case let .gemm(a, transposeA, b, transposeB, batch, m, n, k, out):
        gemmKernel(a, transposeA: transposeA, b, transposeB: transposeB, batch: batch, m: m, n: n, k: k, out)
    case let .imageToColumns(image, windows, out): imageToColumnsKernel(image, windows.pointee, out)
    case let .columnsToImage(columns, windows, out): columnsToImageKernel(columns, windows.pointee, out)
    case let .maxPool(image, windows, out, positions): maxPoolKernel(image, windows.pointee, out, positions)
    case let .scatterAdd(source, indices, out):
        out.update(repeating: 0)
        for i in 0..<indices.count where indices[i] >= 0 { out[indices[i]] += source[i] }
    }
}

/// A tensor operand read through per-dimension strides (0 where it is broadcast). Library-internal.
@_spi(Kernels) public struct StridedOperand<Scalar: TensorElement> {
    let base: UnsafePointer<Scalar>
    let strides: [Int]
}

@inline(__always)
func apply<S: TensorScalar>(_ op: UnaryKernel<S>, _ x: S) -> S {
    switch op {
    case .negate: return -x
    case .exp: return S.exp(x)
    case .log: return S.log(x)
    case .sqrt: return x.squareRoot()
    case .abs: return Swift.abs(x)
    case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .sin: return S.sin(x)
    case .cos: return S.cos(x)
    case .tanh: return S.tanh(x)
    case .erf: return S.erf(x)
    case .sigmoid:
        // Two branches so that exp never overflows.
        if x >= 0 { return 1 / (1 + S.exp(-x)) }
        let e = S.exp(x)
        return e / (1 + e)
    case .softplus: return Swift.max(x, 0) + S.log1p(S.exp(-Swift.abs(x)))
    case .relu: return x > 0 ? x : 0
    case .power(let p): return p == 2 ? x * x : S.pow(x, p)
    case .add(let c): return x + c
    case .multiply(let c): return x * c
    case .subtractFrom(let c): return c - x
    case .divide(let c): return c / x
    case .clamp(let low, let high): return Swift.min(Swift.max(x, low), high)
    case .inside(let low, let high): return x > low && x < high ? 1 : 0
    case .leakyRelu(let slope): return x > 0 ? x : x * slope
    case .leakyReluSlope(let slope): return x > 0 ? 1 : slope
    }
}

/// Elements per thread below which an elementwise kernel or reduction stays on one thread.
let parallelGrain = 1 << 13

/// Runs `job` over `0..<count` in contiguous chunks, on several threads when `count` is large;
/// a job rather than a closure, so that splitting it across threads allocates nothing.
@inline(__always)
func forEachChunk<Job: ParallelJob>(_ count: Int, grain: Int = parallelGrain, job: Job) {
    if count < 2 * grain { job.run(0..<count) } else { parallelFor(count, minimumChunk: grain, job: job) }
}

func mapKernel<S: TensorScalar>(_ op: UnaryKernel<S>, _ x: UnsafeBufferPointer<S>, _ out: UnsafeMutableBufferPointer<S>) {
    forEachChunk(x.count, job: MapJob(op: op, x: x, out: out))
}

private struct MapJob<S: TensorScalar>: ParallelJob {
    let op: UnaryKernel<S>, x: UnsafeBufferPointer<S>, out: UnsafeMutableBufferPointer<S>

    func run(_ range: Range<Int>) {
        if let xBase = x.baseAddress, let outBase = out.baseAddress,
           vectorMap(op, xBase + range.lowerBound, outBase + range.lowerBound, count: range.count) {
            return
        }
        // Hot, parameter-free cases get their own loops so the compiler can vectorize them.
        switch op {
        case .negate: for i in range { out[i] = -x[i] }
        case .add(let c): for i in range { out[i] = x[i] + c }
        case .multiply(let c): for i in range { out[i] = x[i] * c }
        case .relu: for i in range { out[i] = Swift.max(x[i], 0) }
        default: for i in range { out[i] = apply(op, x[i]) }
        }
    }
}

func reduceKernel<S: TensorScalar>(_ op: ReductionKernel, _ x: UnsafeBufferPointer<S>, outer: Int, count: Int, inner: Int,
                                   _ out: UnsafeMutableBufferPointer<S>) {
    // Each output element is reduced by one thread in a fixed order, so results do not depend on threads.
    let perOuter = Swift.max(count * inner, 1)
    let job = ReduceJob(op: op, x: x, count: count, inner: inner, out: out, overOuter: outer > 1)
    if outer > 1 {
        forEachChunk(outer, grain: Swift.max(1, parallelGrain / perOuter), job: job)
    } else {
        forEachChunk(inner, grain: Swift.max(1, parallelGrain / Swift.max(count, 1)), job: job)
    }
}

/// A reduction's chunk: a range of outer blocks (`overOuter`), or of positions in the one block.
private struct ReduceJob<S: TensorScalar>: ParallelJob {
    let op: ReductionKernel, x: UnsafeBufferPointer<S>, count: Int, inner: Int, out: UnsafeMutableBufferPointer<S>
    let overOuter: Bool

    func run(_ range: Range<Int>) {
        if overOuter {
            for o in range { reduceBlock(op, x, o, count: count, inner: inner, 0..<inner, out) }
        } else {
            reduceBlock(op, x, 0, count: count, inner: inner, range, out)
        }
    }
}

/// Reduces the positions `inners` of block `o` of `x` viewed as `[outer, count, inner]`.
@inline(__always)
private func reduceBlock<S: TensorScalar>(_ op: ReductionKernel, _ x: UnsafeBufferPointer<S>, _ o: Int, count: Int, inner: Int,
                                          _ inners: Range<Int>, _ out: UnsafeMutableBufferPointer<S>) {
    let block = o * count * inner
    switch op {
    case .sum where inner == 1:
        out[o] = contiguousSum(x, from: block, count: count)
    case .sum:
        for i in inners { out[o * inner + i] = 0 }
        for c in 0..<count {
            let row = block + c * inner
            for i in inners { out[o * inner + i] += x[row + i] }
        }
    case .max, .min:
        let isMax = op == .max
        for i in inners { out[o * inner + i] = x[block + i] }
        for c in 1..<Swift.max(count, 1) {
            let row = block + c * inner
            for i in inners {
                let v = x[row + i], best = out[o * inner + i]
                // NaN propagates, as in NumPy.
                if isMax ? (v > best || v.isNaN) : (v < best || v.isNaN) { out[o * inner + i] = v }
            }
        }
    case .argmax, .argmin:
        let isMax = op == .argmax
        for i in inners {
            var best = x[block + i], position = 0
            for c in 1..<Swift.max(count, 1) {
                let v = x[block + c * inner + i]
                if best.isNaN { break }
                if v.isNaN || (isMax ? v > best : v < best) { best = v; position = c }
            }
            out[o * inner + i] = S(position)
        }
    }
}

/// Runs a batch of matrix products through the blocked, multi-threaded GEMM (see `ParallelGEMM.swift`).
func gemmKernel<S: TensorScalar>(_ a: UnsafeBufferPointer<S>, transposeA: Bool, _ b: UnsafeBufferPointer<S>, transposeB: Bool,
                                 batch: Int, m: Int, n: Int, k: Int, _ out: UnsafeMutableBufferPointer<S>) {
    guard let outBase = out.baseAddress else { return }
    // k = 0 leaves A and B empty (maybe without an address): the product is all zeros.
    guard k > 0, let aBase = a.baseAddress, let bBase = b.baseAddress else { out.update(repeating: 0); return }
    gemm(aBase, transposeA: transposeA, bBase, transposeB: transposeB, batch: batch, m: m, n: n, k: k, outBase)
}

/// The sum of `x[start ..< start + count]` in eight interleaved partial sums, added pairwise at
/// the end: a fixed order (so the same result on any thread), without one long chain of
/// dependent additions.
@inline(__always)
private func contiguousSum<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, from start: Int, count: Int) -> S {
    var s0: S = 0, s1: S = 0, s2: S = 0, s3: S = 0, s4: S = 0, s5: S = 0, s6: S = 0, s7: S = 0
    var i = start
    let end = start + count, blockEnd = start + count / 8 * 8
    while i < blockEnd {
        s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]
        s4 += x[i + 4]; s5 += x[i + 5]; s6 += x[i + 6]; s7 += x[i + 7]
        i += 8
    }
    var total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while i < end { total += x[i]; i += 1 }
    return total
}
