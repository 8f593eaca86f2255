import Backprop
import BackpropDistributed
import BackpropNN
import Foundation

// mlp-train-data-parallel: mlp-train's step (784→256→256→10, cross-entropy, SGD 0.01, a batch of 64)
// on every rank of an MPI job, each rank with its own batch of 64, the gradients averaged by
// `DistributedDataParallel` before the update. Weak scaling, as data-parallel training is used: P
// ranks train on 64·P examples a step. Run it under the launcher, one process per rank:
//
//     mpirun -np 2 .build/release/backprop-bench --workload mlp-train-data-parallel --threads 1
//
// Every rank runs the same fixed number of steps (collectives must pair up), and rank 0 prints the
// medians: the step, the all-reduce part of it, and the bytes each rank all-reduces per step.

let dataParallelWorkload = "mlp-train-data-parallel"

/// Times the workload on every rank of the job; rank 0 prints its result lines.
func timeDataParallel(_ options: BenchOptions) -> [String] {
    let group: ProcessGroup
    do { group = try ProcessGroup.initialize() } catch { fail("\(dataParallelWorkload) needs MPI: \(error)") }
    let model = Sequential<Float>(benchLinear(784, 256, seeds: (11, 12)), ReLU(), benchLinear(256, 256, seeds: (13, 14)), ReLU(),
                                  benchLinear(256, 10, seeds: (15, 16)))
    let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
    let parallel: DistributedDataParallel<Float>
    do { parallel = try DistributedDataParallel(model, optimizer: optimizer, group: group) } catch { group.abort("\(error)") }
    let seed = UInt64(1 + 2 * group.rank)    // rank 0's batch is mlp-train's
    let (x, labels) = (Variable(benchUniform(seed, [64, 784], 0, 1)), benchLabels(seed + 1, 64, 10))
    var (steps, reduces): ([Double], [Double]) = ([], [])
    let (warmup, measured) = (20, max(50, Int(options.minTime * 300)))
    for index in 0..<(warmup + measured) {
        let start = now()
        optimizer.zeroGrad()
        crossEntropy(logits: model(x), labels: labels).backward()
        let reduceStart = now()
        do { try parallel.averageGradients() } catch { group.abort("\(error)") }
        let reduceEnd = now()
        optimizer.step()
        if index >= warmup {
            steps.append(now() - start)
            reduces.append(reduceEnd - reduceStart)
        }
    }
    let bytes = Double(parallel.communication.bytes) / Double(max(parallel.communication.steps, 1))
    // The job's step is its slowest rank's: each rank's median, then the largest.
    var medians = [median(steps), median(reduces)]
    do { try group.allReduce(&medians, .max) } catch { group.abort("\(error)") }
    var lines: [String] = []
    if group.isMain {
        let workload = "\(dataParallelWorkload)-\(group.size)"
        note("\(workload): \(group.size) ranks (\(group.localSize) on this host), \(options.threads) threads each, "
             + "\(parallel.bucketCount) bucket(s), \(measured) steps after \(warmup); \(group.mpiVersion)")
        func record(_ metric: String, _ value: Double, _ unit: String) {
            lines.append(emit(workload, threads: options.threads, metric: metric, value: value, unit: unit, reps: measured))
        }
        record("median_time", medians[0] * 1e3, "ms")
        record("samples_per_s", Double(64 * group.size) / medians[0], "samples/s")
        record("allreduce_median_time", medians[1] * 1e3, "ms")
        record("allreduce_bytes_per_step", bytes, "bytes")
    }
    do { try group.finalize() } catch { group.abort("\(error)") }
    return lines
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
