// backprop-bench: Backprop on the workloads of ../shared/bench/peers/README.md,
// in the peer scripts' output format, optionally side by side with them.

import Backprop
import Foundation

let workloadNames = ["gemm-128", "gemm-512", "gemm-1024", "mlp-train", "small-mlp-train", "scalar-chain", "conv-train",
                     "mlp-train-memory", "fma-peak", "mlp-train-compiled", "small-mlp-train-compiled", "conv-train-compiled",
                     "scalar-chain-compiled"]
/// Workloads that `all` leaves out: mlp-train-data-parallel runs under an MPI launcher.
let separateWorkloads = [dataParallelWorkload]

let usage = """
usage: backprop-bench [--workload NAME[,NAME…]|all] [--threads N] [--min-time S] [--check] [--compare PYTHON]

  --workload   one or more of: \(workloadNames.joined(separator: ", ")); or all (the default);
               or \(dataParallelWorkload), under mpirun (mpirun -np 2 backprop-bench --workload \(dataParallelWorkload))
  --threads    the thread count (default 2), as Backprop.threadCount
  --min-time   the least measured seconds per timing (default 1.0)
  --check      print reference values instead of timings
  --compare    also run the peer scripts in Sources/Benchmarks/peers with this Python, and print a table of ratios
"""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("backprop-bench: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

var options = BenchOptions()
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    func value() -> String {
        guard let v = arguments.popFirst() else { fail("\(flag) needs a value") }
        return v
    }
    switch flag {
    case "--workload":
        let names = value()
        options.workloads = names == "all" ? workloadNames : names.split(separator: ",").map(String.init)
    case "--threads":
        guard let n = Int(value()), n > 0 else { fail("--threads takes a positive whole number") }
        options.threads = n
    case "--min-time":
        guard let s = Double(value()), s > 0 else { fail("--min-time takes a positive number of seconds") }
        options.minTime = s
    case "--check": options.check = true
    case "--compare": options.comparePython = value()
    case "--memory-child": options.memoryChild = true
    case "--help", "-h": print(usage); exit(0)
    default: fail("unknown option \(flag)")
    }
}
if let unknown = options.workloads.first(where: { !(workloadNames + separateWorkloads).contains($0) }) {
    fail("unknown workload \(unknown)")
}

run(options)
