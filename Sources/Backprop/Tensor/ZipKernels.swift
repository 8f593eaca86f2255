// Binary elementwise kernels: `op(a, b)` over two operands read flat (each stride 1, or 0 for a
// single value) or through broadcast strides, walking the output's rows. Split from Kernels.swift,
// which dispatches to them.

@inline(__always)
func apply<S: TensorScalar>(_ op: BinaryKernel, _ a: S, _ b: S) -> S {
    switch op {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    case .maximum: return a >= b ? a : b
    case .minimum: return a <= b ? a : b
    case .greater: return a > b ? 1 : 0
    case .greaterOrEqual: return a >= b ? 1 : 0
    case .less: return a < b ? 1 : 0
    case .lessOrEqual: return a <= b ? 1 : 0
    case .equal: return a == b ? 1 : 0
    case .keepWherePositive: return b > 0 ? a : 0
    }
}

@inline(__always)
func zipRun<S: TensorScalar>(_ op: BinaryKernel, _ a: UnsafePointer<S>, _ sa: Int, _ b: UnsafePointer<S>, _ sb: Int,
                             _ out: UnsafeMutablePointer<S>, _ n: Int) {
    switch (op, sa, sb) {
    case (.add, 1, 1): for i in 0..<n { out[i] = a[i] + b[i] }
    case (.multiply, 1, 1): for i in 0..<n { out[i] = a[i] * b[i] }
    case (.subtract, 1, 1): for i in 0..<n { out[i] = a[i] - b[i] }
    case (.add, 1, 0): let c = b[0]; for i in 0..<n { out[i] = a[i] + c }
    case (.multiply, 1, 0): let c = b[0]; for i in 0..<n { out[i] = a[i] * c }
    // relu's VJP on every activation of a network: a select the compiler vectorizes.
    case (.keepWherePositive, 1, 1): for i in 0..<n { out[i] = b[i] > 0 ? a[i] : 0 }
    default: for i in 0..<n { out[i] = apply(op, a[i * sa], b[i * sb]) }
    }
}

/// Walks the rows (innermost dimension) of `shape` for up to three strided operands, handing `body`
/// each operand's offset at the row start, the output offset, the row length and the operands' inner strides.
@inline(__always)
func walkRows(_ shape: [Int], _ s0: [Int], _ s1: [Int], _ s2: [Int], count: Int,
              _ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
    guard count > 0 else { return }
    let rank = shape.count
    guard rank > 0 else { body(0, 0, 0, 0, 1, 0, 0, 0); return }
    let inner = shape[rank - 1]
    let (i0, i1, i2) = (s0[rank - 1], s1[rank - 1], s2[rank - 1])
    // The position along each outer axis, on the stack: no allocation per call.
    withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
        index.initialize(repeating: 0)
        var (o0, o1, o2, written) = (0, 0, 0, 0)
        while written < count {
            body(o0, o1, o2, written, inner, i0, i1, i2)
            written += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                o0 += s0[axis]; o1 += s1[axis]; o2 += s2[axis]
                if index[axis] < shape[axis] { break }
                o0 -= s0[axis] * shape[axis]; o1 -= s1[axis] * shape[axis]; o2 -= s2[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { break }
        }
    }
}

/// `out[i] = op(a[i · sa], b[i · sb])`, each stride 1 or 0: one flat loop, split across threads when large.
func zipFlatKernel<S: TensorScalar>(_ op: BinaryKernel, _ a: UnsafePointer<S>, _ sa: Int, _ b: UnsafePointer<S>, _ sb: Int,
                                    _ out: UnsafeMutableBufferPointer<S>) {
    guard let outBase = out.baseAddress else { return }
    forEachChunk(out.count, job: ZipFlatJob(op: op, a: a, sa: sa, b: b, sb: sb, outBase: outBase))
}

private struct ZipFlatJob<S: TensorScalar>: ParallelJob {
    let op: BinaryKernel, a: UnsafePointer<S>, sa: Int, b: UnsafePointer<S>, sb: Int, outBase: UnsafeMutablePointer<S>

    func run(_ range: Range<Int>) {
        zipRun(op, a + range.lowerBound * sa, sa, b + range.lowerBound * sb, sb, outBase + range.lowerBound, range.count)
    }
}

/// How ``zipKernel(_:_:_:_:_:)`` walks two operands read through broadcast strides into an
/// output of `shape`: made from the shapes alone, so a compiled replay makes it once. Library-internal.
@_spi(Kernels) public struct ZipPlan: Sendable {
    /// The operands' flat strides (1, or 0 for a single broadcast value) when one flat loop serves.
    let flatStrides: (lhs: Int, rhs: Int)?
    /// The output's axes with neighbouring ones merged where both operands step through them as
    /// one, and the operands' strides along them; then the same without the leading axis.
    let shape, lhs, rhs: [Int]
    let inner, lhsInner, rhsInner: [Int]

    init(shape: [Int], lhs: [Int], rhs: [Int]) {
        let contiguous = Shapes.strides(shape)
        let flatStride = { (strides: [Int]) -> Int? in
            strides == contiguous ? 1 : strides.allSatisfy { $0 == 0 } ? 0 : nil
        }
        if let sa = flatStride(lhs), let sb = flatStride(rhs) { flatStrides = (sa, sb) } else { flatStrides = nil }
        (self.shape, self.lhs, self.rhs) = mergingAxes(shape, lhs, rhs)
        (inner, lhsInner, rhsInner) = (Array(self.shape.dropFirst()), Array(self.lhs.dropFirst()), Array(self.rhs.dropFirst()))
    }
}

func zipKernel<S: TensorScalar>(_ op: BinaryKernel, _ lhs: UnsafePointer<S>, _ rhs: UnsafePointer<S>, _ plan: ZipPlan,
                                _ out: UnsafeMutableBufferPointer<S>) {
    guard let outBase = out.baseAddress else { return }
    // Operands that are contiguous or a single broadcast value run as one flat, splittable loop.
    if let (sa, sb) = plan.flatStrides { return zipFlatKernel(op, lhs, sa, rhs, sb, out) }
    // Otherwise neighbouring axes that both operands step through as one are merged, so that
    // rows grow long (a per-channel bias over [N, C, H, W] runs in rows of H·W), then the
    // leading axis is split across threads, and each part walks its rows.
    let rest = out.count / Swift.max(plan.shape.first ?? 1, 1)
    withUnsafePointer(to: plan) { plan in
        forEachChunk(plan.pointee.shape.first ?? 1, grain: Swift.max(1, parallelGrain / Swift.max(rest, 1)),
                     job: ZipJob(op: op, lhs: lhs, rhs: rhs, plan: plan, outBase: outBase, count: out.count, rest: rest))
    }
}

private struct ZipJob<S: TensorScalar>: ParallelJob {
    let op: BinaryKernel, lhs: UnsafePointer<S>, rhs: UnsafePointer<S>, plan: UnsafePointer<ZipPlan>
    let outBase: UnsafeMutablePointer<S>, count: Int, rest: Int

    func run(_ leading: Range<Int>) {
        let plan = plan.pointee
        guard plan.shape.count > 1 else {
            return walkRows(plan.shape, plan.lhs, plan.rhs, plan.rhs, count: count) { a, b, _, o, n, sa, sb, _ in
                zipRun(op, lhs + a, sa, rhs + b, sb, outBase + o, n)
            }
        }
        for i in leading {
            let (a0, b0, o0) = (i * plan.lhs[0], i * plan.rhs[0], i * rest)
            walkRows(plan.inner, plan.lhsInner, plan.rhsInner, plan.rhsInner, count: rest) { a, b, _, o, n, sa, sb, _ in
                zipRun(op, lhs + a0 + a, sa, rhs + b0 + b, sb, outBase + o0 + o, n)
            }
        }
    }
}

/// `shape` with each run of neighbouring axes that both stride lists step through as one axis
/// (`stride[i] == stride[i + 1] · shape[i + 1]` in both) merged into one, and the merged strides.
func mergingAxes(_ shape: [Int], _ a: [Int], _ b: [Int]) -> ([Int], [Int], [Int]) {
    guard var (mergedShape, mergedA, mergedB) = shape.first.map({ ([$0], [a[0]], [b[0]]) }) else { return (shape, a, b) }
    for axis in 1..<shape.count {
        let last = mergedShape.count - 1
        if mergedA[last] == a[axis] * shape[axis] && mergedB[last] == b[axis] * shape[axis] {
            (mergedShape[last], mergedA[last], mergedB[last]) = (mergedShape[last] * shape[axis], a[axis], b[axis])
        } else {
            mergedShape.append(shape[axis]); mergedA.append(a[axis]); mergedB.append(b[axis])
        }
    }
    return (mergedShape, mergedA, mergedB)
}
