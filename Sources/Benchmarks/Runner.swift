import Backprop
import CBackpropKernels
import Foundation

/// What the command line asked for.
struct BenchOptions {
    var workloads = workloadNames
    var threads = 2
    var minTime = 1.0
    var check = false
    var comparePython: String? = nil
    /// Internal: this process is the fresh child that measures mlp-train-memory.
    var memoryChild = false
}

/// Runs the chosen workloads, then the comparison if asked.
func run(_ options: BenchOptions) {
    Backprop.threadCount = options.threads
    note("backprop-bench: threads \(options.threads), min-time \(options.minTime) s, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    if options.memoryChild { return measureMemory(threads: options.threads) }
    var results: [String] = [], peak: FMAPeak = [:]
    // The gemm workloads report their fraction of the FMA peak, so the peak comes first.
    if !options.check && options.workloads.contains(where: { $0 == "fma-peak" || $0.hasPrefix("gemm-") }) {
        (results, peak) = measureFMAPeak(options)
    }
    for workload in options.workloads {
        results += options.check ? checkValues(workload, threads: options.threads) : time(workload, options, peak: peak)
    }
    if let python = options.comparePython { compare(results, python: python, options: options) }
}

/// Times one workload and prints its result lines; returns them. gemm's `peak_fraction` is
/// its GFLOPS over `peak` at the same thread count; fma-peak itself is measured before.
func time(_ workload: String, _ options: BenchOptions, peak: FMAPeak) -> [String] {
    let threads = options.threads
    var lines: [String] = []
    func record(_ metric: String, _ value: Double, _ unit: String, _ reps: Int) {
        lines.append(emit(workload, threads: threads, metric: metric, value: value, unit: unit, reps: reps))
    }
    switch workload {
    case "gemm-128", "gemm-512", "gemm-1024":
        let n = Int(workload.dropFirst(5))!
        let (a, b) = gemmOperands(n)
        let timing = timeIt({ _ = matmul(a, b) }, minTime: options.minTime)
        note("\(workload): \(timing.summary)" + coreToCoreNote(threads: threads))
        record("median_time", timing.median * 1e3, "ms", timing.reps)
        let gflops = 2 * pow(Double(n), 3) / timing.median / 1e9
        record("gflops", gflops, "GFLOPS", timing.reps)
        if let peak = peak[threads] { record("peak_fraction", gflops / peak, "fraction", timing.reps) }
    case "fma-peak":
        break
    case "mlp-train", "small-mlp-train", "conv-train", "mlp-train-compiled", "small-mlp-train-compiled", "conv-train-compiled":
        let step = trainingStep(workload)
        let timing = timeIt({ step() }, minTime: options.minTime)
        note("\(workload): \(timing.summary)" + coreToCoreNote(threads: threads))
        record("median_time", timing.median * 1e3, "ms", timing.reps)
        record("steps_per_s", 1 / timing.median, "steps/s", timing.reps)
    case "scalar-chain", "scalar-chain-compiled":
        let chain = ScalarChain(compiled: workload == "scalar-chain-compiled")
        let timing = timeIt({ chain() }, minTime: options.minTime)
        note("\(workload): \(timing.summary)")
        record("median_time", timing.median * 1e3, "ms", timing.reps)
        record("us_per_op", timing.median * 1e6 / 10_000, "us/op", timing.reps)
        if chain.compiled == nil { timeFloor(beside: chain, options) }
    case dataParallelWorkload:
        lines += timeDataParallel(options)
    default:   // mlp-train-memory: in a fresh process
        lines += runChild(CommandLine.arguments[0], ["--memory-child", "--threads", String(threads)], echo: true)
    }
    return lines
}

/// Times scalar-chain on the bare graph of `ClassGraphFloor.swift`, after checking that it
/// computes what `chain` does, and prints the result on stderr: a reference, not a result line.
func timeFloor(beside chain: ScalarChain, _ options: BenchOptions) {
    let floor = FloorChain()
    let (x, floorX) = (chain(), floor())
    let same = [(x, floorX), (chain.x0.grad!.scalar, floor.x0.gradient), (chain.w.grad!.scalar, floor.w.gradient),
                (chain.b.grad!.scalar, floor.b.gradient)].allSatisfy { $0.bitPattern == $1.bitPattern }
    precondition(same, "scalar-chain: the bare graph's result or gradients differ from Backprop's")
    let timing = timeIt({ floor() }, minTime: options.minTime)
    note(String(format: "scalar-chain on bare nodes (one object per op, no framework; same bits): %.4f us/op; ",
                timing.median * 1e6 / 10_000) + timing.summary)
}

/// mlp-train-memory, in this fresh process: 1,000 steps with no warm-up, VmRSS at steps 100 and 1,000.
func measureMemory(threads: Int) {
    let afterImports = residentMiB()
    let step = mlpTrainStep()
    var at100 = 0.0
    for i in 1...1000 {
        step()
        if i == 100 { at100 = residentMiB() }
    }
    let at1000 = residentMiB(), peak = peakResidentMiB()
    func emitMemory(_ metric: String, _ value: Double, _ reps: Int) {
        emit("mlp-train-memory", threads: threads, metric: metric, value: value, unit: "MiB", reps: reps)
    }
    emitMemory("peak_rss", peak, 1000)
    emitMemory("peak_rss_above_imports", peak - afterImports, 1000)
    emitMemory("rss_after_imports", afterImports, 0)
    emitMemory("rss_step_100", at100, 100)
    emitMemory("rss_step_1000", at1000, 1000)
}

/// The reference values of the README's "Check values" for one workload.
func checkValues(_ workload: String, threads: Int) -> [String] {
    var lines: [String] = []
    func record(_ metric: String, _ value: Double, _ reps: Int) {
        lines.append(emit(workload, threads: threads, metric: metric, value: value, unit: "", reps: reps))
    }
    switch workload {
    case "gemm-128", "gemm-512", "gemm-1024":
        let (a, b) = gemmOperands(Int(workload.dropFirst(5))!)
        record("c_sum", matmul(a, b).scalars.reduce(0.0) { $0 + Double($1) }, 0)
    case "mlp-train", "small-mlp-train", "conv-train", "mlp-train-compiled", "small-mlp-train-compiled", "conv-train-compiled":
        let step = trainingStep(workload)
        var losses: [Float] = []
        for _ in 1...11 { losses.append(step()) }
        record("loss_step_1", Double(losses[0]), 1)
        record("loss_step_11", Double(losses[10]), 11)
    case "scalar-chain", "scalar-chain-compiled":
        let chain = ScalarChain(compiled: workload == "scalar-chain-compiled")
        for _ in 0..<2 { chain() }    // the tracing calls: the third replays
        record("x_final", Double(chain()), 1)
        record("grad_x0", Double(chain.x0.grad!.scalar), 1)
        record("grad_w", Double(chain.w.grad!.scalar), 1)
        record("grad_b", Double(chain.b.grad!.scalar), 1)
    case "fma-peak":   // after 10 iterations: 192 + (4,560 − 192)·2⁻¹⁰
        record("chain_sum_10", bp_fma_chains(10, 0.5, 1, false), 10)
    default:
        note("\(workload): no check values")
    }
    return lines
}
