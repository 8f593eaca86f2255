import CBackpropKernels
import Testing
@testable import Backprop

/// Sizes (m, n, k): odd sizes, tails, and sizes on either side of the register tiles
/// (6×16 Float, 6×8 Double) and cache blocks (k slices of 256; 168 / 72 rows; 4080 columns).
private let sizes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 5, 3), (17, 13, 29), (67, 129, 33), (3, 4, 0),
    (5, 15, 255), (6, 16, 256), (7, 17, 257), (12, 32, 512), (13, 9, 513),
    (71, 7, 9), (72, 8, 10), (73, 9, 11), (167, 3, 5), (168, 17, 2), (169, 33, 300),
    (2, 4081, 3),
]

private let transposes = [(false, false), (false, true), (true, false), (true, true)]

/// Deterministic operands in [-1, 1), as stored: A is [m, k] or [k, m]; B is [k, n] or [n, k].
private func operands<S: TensorScalar>(_: S.Type, m: Int, n: Int, k: Int, batch: Int = 1, seed: UInt64) -> ([S], [S]) {
    (Tensor<S>.uniform([batch * m * k], low: -1, high: 1, seed: seed).scalars,
     Tensor<S>.uniform([batch * k * n], low: -1, high: 1, seed: seed + 1).scalars)
}

/// `op(a)·op(b)` by the textbook triple loop, summed in Double, with the error bound
/// `(k + 2)·ε·Σₚ|aᵢₚ·bₚⱼ|` that a floating-point sum of k products in any order satisfies.
private func reference<S: TensorScalar>(_ a: [S], _ ta: Bool, _ b: [S], _ tb: Bool, m: Int, n: Int, k: Int) -> (value: [Double], bound: [Double]) {
    var value = [Double](repeating: 0, count: m * n), bound = value
    for i in 0..<m {
        for j in 0..<n {
            for p in 0..<k {
                let product = Double(a[ta ? p * m + i : i * k + p]) * Double(b[tb ? j * k + p : p * n + j])
                value[i * n + j] += product
                bound[i * n + j] += Swift.abs(product)
            }
            bound[i * n + j] *= Double(k + 2) * Double(S.ulpOfOne)
        }
    }
    return (value, bound)
}

/// Runs the internal GEMM on arrays.
private func product<S: TensorScalar>(_ a: [S], _ ta: Bool, _ b: [S], _ tb: Bool, batch: Int = 1, m: Int, n: Int, k: Int,
                                      threads: Int = 1, path: GEMMPath = .automatic, parallelThreshold: Int = 0) -> [S] {
    var out = [S](repeating: .nan, count: batch * m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { out in
                if k == 0 { out.update(repeating: 0); return }
                gemm(a.baseAddress!, transposeA: ta, b.baseAddress!, transposeB: tb, batch: batch, m: m, n: n, k: k,
                     out.baseAddress!, threads: threads, path: path, parallelThreshold: parallelThreshold)
            }
        }
    }
    return out
}

private func expectMatchesReference<S: TensorScalar>(_: S.Type, path: GEMMPath, threads: Int,
                                                     sourceLocation: SourceLocation = #_sourceLocation) {
    for (index, (m, n, k)) in sizes.enumerated() {
        for (ta, tb) in transposes {
            let (a, b) = operands(S.self, m: m, n: n, k: k, seed: UInt64(index))
            let got = product(a, ta, b, tb, m: m, n: n, k: k, threads: threads, path: path)
            let (want, bound) = reference(a, ta, b, tb, m: m, n: n, k: k)
            let worst = (0..<(m * n)).first { Swift.abs(Double(got[$0]) - want[$0]) > bound[$0] }
            #expect(worst == nil, "\(S.self) \(m)×\(n)×\(k) ta=\(ta) tb=\(tb) \(path) threads=\(threads): element \(worst ?? 0) is \(got[worst ?? 0]), want \(want[worst ?? 0])",
                    sourceLocation: sourceLocation)
        }
    }
}

@Suite struct GEMMCorrectness {
    @Test func floatMatchesReference() { expectMatchesReference(Float.self, path: .automatic, threads: 1) }
    @Test func doubleMatchesReference() { expectMatchesReference(Double.self, path: .automatic, threads: 1) }
    @Test func floatPortableMatchesReference() { expectMatchesReference(Float.self, path: .portable, threads: 1) }
    @Test func doublePortableMatchesReference() { expectMatchesReference(Double.self, path: .portable, threads: 1) }
    @Test func floatSplitAcrossThreadsMatchesReference() { expectMatchesReference(Float.self, path: .automatic, threads: 3) }
    @Test func doubleSplitAcrossThreadsMatchesReference() { expectMatchesReference(Double.self, path: .automatic, threads: 3) }

    /// The SIMD kernel and the portable one agree within rounding (not bit for bit: one fuses
    /// multiply and add, the other may not). Without a SIMD kernel both paths are the same code.
    @Test func simdAndPortableKernelsAgree() {
        #if !arch(x86_64)
        #expect(!bp_gemm_has_simd_kernel())
        #endif
        for (m, n, k) in [(67, 129, 33), (169, 33, 300)] {
            for (ta, tb) in transposes {
                let (a, b) = operands(Float.self, m: m, n: n, k: k, seed: 7)
                let simd = product(a, ta, b, tb, m: m, n: n, k: k, path: .automatic)
                let portable = product(a, ta, b, tb, m: m, n: n, k: k, path: .portable)
                if bp_gemm_has_simd_kernel() {
                    let gap = zip(simd, portable).map { Swift.abs($0 - $1) }.max() ?? 0
                    #expect(gap <= Float(k) * 8 * Float.ulpOfOne, "\(m)×\(n)×\(k) ta=\(ta) tb=\(tb): gap \(gap)")
                } else {
                    #expect(simd == portable)
                }
            }
        }
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let a = Tensor<Float>(shape: [3, 0], scalars: []), b = Tensor<Float>(shape: [0, 4], scalars: [])
        #expect(matmul(a, b).scalars == [Float](repeating: 0, count: 12))
        #expect(matmul(Tensor<Float>(shape: [0, 2], scalars: []), Tensor<Float>.ones([2, 5])).shape == [0, 5])
    }
}

@Suite struct GEMMThreads {
    /// Rows or columns of C split across 1…5 threads give the same bits as one thread: no
    /// element's sum is split, and each is summed in the same order.
    @Test(arguments: [false, true]) func identicalAcrossThreadCounts(double: Bool) {
        for (index, (m, n, k)) in sizes.enumerated() {
            for (ta, tb) in transposes {
                if double {
                    let (a, b) = operands(Double.self, m: m, n: n, k: k, seed: UInt64(index))
                    let one = product(a, ta, b, tb, m: m, n: n, k: k, threads: 1)
                    for threads in 2...5 { #expect(product(a, ta, b, tb, m: m, n: n, k: k, threads: threads) == one) }
                } else {
                    let (a, b) = operands(Float.self, m: m, n: n, k: k, seed: UInt64(index))
                    let one = product(a, ta, b, tb, m: m, n: n, k: k, threads: 1)
                    for threads in 2...5 { #expect(product(a, ta, b, tb, m: m, n: n, k: k, threads: threads) == one) }
                }
            }
        }
    }

    @Test func identicalAcrossRepeatedRuns() {
        let (m, n, k) = (301, 263, 517)
        let (a, b) = operands(Float.self, m: m, n: n, k: k, seed: 3)
        for threads in [1, 2, 4] {
            let first = product(a, false, b, true, m: m, n: n, k: k, threads: threads, parallelThreshold: gemmParallelThreshold)
            for _ in 0..<3 {
                #expect(product(a, false, b, true, m: m, n: n, k: k, threads: threads, parallelThreshold: gemmParallelThreshold) == first)
            }
        }
    }

    /// Small matrices of a batch are spread over threads whole; large ones are split inside.
    @Test(arguments: [0, 1 << 30]) func batchesIdenticalAcrossThreadCounts(parallelThreshold: Int) {
        let (batch, m, n, k) = (7, 13, 21, 17)
        for (ta, tb) in transposes {
            let (a, b) = operands(Float.self, m: m, n: n, k: k, batch: batch, seed: 11)
            let one = product(a, ta, b, tb, batch: batch, m: m, n: n, k: k, threads: 1)
            for threads in [2, 3, 8] {
                #expect(product(a, ta, b, tb, batch: batch, m: m, n: n, k: k, threads: threads,
                                parallelThreshold: parallelThreshold) == one)
            }
        }
    }
}

@Suite struct GEMMBatchedMatmul {
    /// Each matrix of a batched product equals the 2-d product of its operands, bit for bit.
    @Test func batchedEqualsEachMatrix() {
        let (batch, m, n, k) = (5, 9, 23, 31)
        let a = Tensor<Float>.uniform([batch, m, k], low: -1, high: 1, seed: 1)
        let b = Tensor<Float>.uniform([batch, k, n], low: -1, high: 1, seed: 2)
        let bT = Tensor<Float>.uniform([batch, n, k], low: -1, high: 1, seed: 3)
        let aT = Tensor<Float>.uniform([batch, k, m], low: -1, high: 1, seed: 4)
        for (ta, tb) in transposes {
            let (left, right) = (ta ? aT : a, tb ? bT : b)
            let whole = matmul(left, transposed: ta, right, transposed: tb)
            #expect(whole.shape == [batch, m, n])
            for i in 0..<batch {
                let (l, r) = (left.scalars, right.scalars)
                let li = Tensor(shape: Array(left.shape.dropFirst()), scalars: Array(l[(i * m * k)..<((i + 1) * m * k)]))
                let ri = Tensor(shape: Array(right.shape.dropFirst()), scalars: Array(r[(i * k * n)..<((i + 1) * k * n)]))
                let single = matmul(li, transposed: ta, ri, transposed: tb)
                #expect(Array(whole.scalars[(i * m * n)..<((i + 1) * m * n)]) == single.scalars, "batch \(i) ta=\(ta) tb=\(tb)")
            }
        }
    }

    /// A transposed flag gives the same result as a materialised transpose.
    @Test func transposeFlagsMatchTransposedCopies() {
        let a = Tensor<Double>.uniform([37, 19], low: -1, high: 1, seed: 5)
        let b = Tensor<Double>.uniform([23, 19], low: -1, high: 1, seed: 6)
        expectClose(matmul(a, transposed: false, b, transposed: true), matmul(a, b.transposed()), tolerance: 1e-12)
        expectClose(matmul(b, transposed: false, a, transposed: true), matmul(b, a.transposed()), tolerance: 1e-12)
        expectClose(matmul(a, transposed: true, a, transposed: false), matmul(a.transposed(), a), tolerance: 1e-12)
    }
}
