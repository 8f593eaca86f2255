import CBackpropKernels
import Foundation

// fma-peak: this machine's peak float FMA throughput, the ceiling that the gemm
// workloads are measured against (their `peak_fraction`).

/// Iterations of `bp_fma_chains` per thread in one timed call: 192 Mflop, about 2 ms at 100 GFLOPS.
let fmaIterations = 1 << 20

/// The lanes that one `bp_fma_chains` call updates per iteration.
let fmaLanes = Int(BP_FMA_CHAINS) * Int(BP_FMA_LANES)

/// The measured peak, in GFLOPS, by thread count.
typealias FMAPeak = [Int: Double]

/// Times `bp_fma_chains` on one thread and on `options.threads` threads (one chain set per thread,
/// all started together), prints the fma-peak result lines and returns them with the peaks.
func measureFMAPeak(_ options: BenchOptions) -> (lines: [String], peak: FMAPeak) {
    var lines: [String] = [], peak: FMAPeak = [:]
    for threads in Set([1, options.threads]).sorted() {
        // Each thread writes its own element only.
        nonisolated(unsafe) let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
        defer { sums.deallocate() }
        let timing = timeIt({
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                sums[t] = bp_fma_chains(fmaIterations, 0.5, 1, false)
            }
        }, minTime: options.minTime)
        // Every lane ends at 2, the fixed point of x ← x/2 + 1, after some 30 iterations: the sums
        // prove that the chains ran (BackpropTests check the sums of the first iterations too).
        precondition(sums.allSatisfy { $0 == Double(2 * fmaLanes) }, "fma-peak: wrong chain sums \(Array(sums))")
        let gflops = 2 * Double(fmaLanes * fmaIterations * threads) / timing.median / 1e9
        peak[threads] = gflops
        let kernel = bp_gemm_has_simd_kernel() ? "AVX2 FMA" : "portable C"
        note("fma-peak, \(threads) thread(s), \(BP_FMA_CHAINS) chains × \(BP_FMA_LANES) lanes, \(kernel): \(timing.summary)")
        lines.append(emit("fma-peak", threads: threads, metric: "gflops", value: gflops, unit: "GFLOPS", reps: timing.reps))
    }
    return (lines, peak)
}
