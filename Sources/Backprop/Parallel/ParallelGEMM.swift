import CBackpropKernels

/// Which micro-kernel a matrix product runs. Library-internal: tests force the portable one.
enum GEMMPath: Sendable {
    /// The SIMD micro-kernel when the CPU has one (AVX2 + FMA), else the portable one.
    case automatic
    /// The plain-C micro-kernel, on any CPU.
    case portable
}

/// The fewest multiply-adds (m·n·k) worth splitting across threads: below it, waking a second
/// thread costs about as much as it saves.
let gemmParallelThreshold = 1 << 18

/// `out[i] = op(a[i]) · op(b[i])` for `batch` row-major matrices, on up to `threads` threads.
///
/// `op(a[i])` is `m×k` and `op(b[i])` is `k×n`; a transposed operand is read through swapped
/// strides, never copied. The work is split over rows or columns of each `out[i]` (or over the
/// matrices, when each is small), never over k, so every element of `out` is summed in the same
/// order whatever the thread count: the result does not depend on `threads`.
/// `parallelThreshold` is the fewest multiply-adds worth splitting; tests lower it to split tiny products.
func gemm<S: TensorScalar>(_ a: UnsafePointer<S>, transposeA: Bool, _ b: UnsafePointer<S>, transposeB: Bool,
                           batch: Int = 1, m: Int, n: Int, k: Int, _ out: UnsafeMutablePointer<S>,
                           threads: Int = threadCount, path: GEMMPath = .automatic,
                           parallelThreshold: Int = gemmParallelThreshold) {
    guard batch > 0, m > 0, n > 0 else { return }
    let work = m * n * max(k, 1)
    if batch > 1 && (work < parallelThreshold || batch >= 4 * threads) {
        // Small matrices, or many of them: whole matrices per thread, one hand-off per call
        // rather than one per matrix.
        let perChunk = max(1, (parallelThreshold + work - 1) / work)
        parallelFor(batch, threads: threads, minimumChunk: perChunk,
                 job: MatricesJob(a: a, transposeA: transposeA, b: b, transposeB: transposeB, out: out,
                                                       m: m, n: n, k: k, path: path))
        return
    }
    // op(A)[i, p] = a[i·rsa + p·csa] and op(B)[p, j] = b[p·rsb + j·csb].
    let (rsa, csa) = transposeA ? (1, m) : (k, 1)
    let (rsb, csb) = transposeB ? (1, k) : (n, 1)
    let (mr, nr) = S.self == Double.self ? (Int(BP_DGEMM_MR), Int(BP_DGEMM_NR)) : (Int(BP_SGEMM_MR), Int(BP_SGEMM_NR))
    let threads = work < parallelThreshold ? 1 : threads
    // Split whichever side of C leaves the busiest thread the least work, in whole tiles.
    let (rowTiles, columnTiles) = ((m + mr - 1) / mr, (n + nr - 1) / nr)
    let busiestByRows = min(m, (rowTiles + threads - 1) / threads * mr) * n
    let busiestByColumns = min(n, (columnTiles + threads - 1) / threads * nr) * m
    for i in 0..<batch {
        let (a, b, out) = (a + i * m * k, b + i * k * n, out + i * m * n)
        if busiestByRows <= busiestByColumns {
            parallelFor(rowTiles, threads: threads,
                 job: RowTilesJob(a: a, rsa: rsa, csa: csa, b: b, rsb: rsb, csb: csb, out: out,
                                                          m: m, n: n, k: k, mr: mr, path: path))
        } else {
            parallelFor(columnTiles, threads: threads,
                 job: ColumnTilesJob(a: a, rsa: rsa, csa: csa, b: b, rsb: rsb, csb: csb, out: out,
                                                             m: m, n: n, k: k, nr: nr, path: path))
        }
    }
}

private struct MatricesJob<S: TensorScalar>: ParallelJob {
    let a: UnsafePointer<S>, transposeA: Bool, b: UnsafePointer<S>, transposeB: Bool, out: UnsafeMutablePointer<S>
    let m: Int, n: Int, k: Int, path: GEMMPath

    func run(_ matrices: Range<Int>) {
            for i in matrices {
                gemm(a + i * m * k, transposeA: transposeA, b + i * k * n, transposeB: transposeB,
                     m: m, n: n, k: k, out + i * m * n, threads: 1, path: path)
            }
    }
}

private struct RowTilesJob<S: TensorScalar>: ParallelJob {
    let a: UnsafePointer<S>, rsa: Int, csa: Int, b: UnsafePointer<S>, rsb: Int, csb: Int, out: UnsafeMutablePointer<S>
    let m: Int, n: Int, k: Int, mr: Int, path: GEMMPath

    func run(_ tiles: Range<Int>) {
                let first = tiles.lowerBound * mr, rows = min(m, tiles.upperBound * mr) - first
                gemmBlock(m: rows, n: n, k: k, a + first * rsa, rsa, csa, b, rsb, csb, out + first * n, ldc: n, path)
    }
}

private struct ColumnTilesJob<S: TensorScalar>: ParallelJob {
    let a: UnsafePointer<S>, rsa: Int, csa: Int, b: UnsafePointer<S>, rsb: Int, csb: Int, out: UnsafeMutablePointer<S>
    let m: Int, n: Int, k: Int, nr: Int, path: GEMMPath

    func run(_ tiles: Range<Int>) {
                let first = tiles.lowerBound * nr, columns = min(n, tiles.upperBound * nr) - first
                gemmBlock(m: m, n: columns, k: k, a, rsa, csa, b + first * csb, rsb, csb, out + first, ldc: n, path)
    }
}

/// One thread's block of C: `c[i·ldc + j] = Σₚ A[i, p]·B[p, j]`, in C for Float and Double.
@inline(__always)
private func gemmBlock<S: TensorScalar>(m: Int, n: Int, k: Int, _ a: UnsafePointer<S>, _ rsa: Int, _ csa: Int,
                                        _ b: UnsafePointer<S>, _ rsb: Int, _ csb: Int,
                                        _ c: UnsafeMutablePointer<S>, ldc: Int, _ path: GEMMPath) {
    func cast<T>(_ p: UnsafePointer<S>, _: T.Type) -> UnsafePointer<T> { UnsafeRawPointer(p).assumingMemoryBound(to: T.self) }
    let portable = path == .portable
    if S.self == Float.self {
        let c = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
        bp_sgemm(m, n, k, cast(a, Float.self), rsa, csa, cast(b, Float.self), rsb, csb, c, ldc, portable)
    } else if S.self == Double.self {
        let c = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self)
        bp_dgemm(m, n, k, cast(a, Double.self), rsa, csa, cast(b, Double.self), rsb, csb, c, ldc, portable)
    } else {
        // Another conforming type: a plain loop.
        for i in 0..<m {
            for j in 0..<n {
                var total: S = 0
                for p in 0..<k { total += a[i * rsa + p * csa] * b[p * rsb + j * csb] }
                c[i * ldc + j] = total
            }
        }
    }
}
