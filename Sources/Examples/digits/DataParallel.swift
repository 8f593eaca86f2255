import Backprop
import BackpropDistributed
import BackpropExamples
import BackpropNN
import Foundation

/// `--data-parallel`: this process's part in training across the ranks of an MPI job.
///
/// Every rank trains the same network on its shard of each global batch of `--batch-size`
/// images, and the gradients are averaged across ranks (weighted by each rank's number of
/// images) before each step, so the run matches one process with the same `--batch-size`.
/// Rank 0 alone prints, evaluates and writes.
struct DataParallelRun {
    let group: ProcessGroup
    let parallel: DistributedDataParallel<Float>

    /// Joins the job: loads MPI, checks that the global batch splits evenly across the ranks, gives each
    /// rank its share of this host's cores (unless `--threads` says otherwise) and broadcasts rank 0's weights.
    init(network: Sequential<Float>, optimizer: any Optimizer<Float>, options: ExampleOptions, command: ExampleCommand) {
        do { group = try ProcessGroup.initialize() } catch { command.fail("--data-parallel needs MPI", because: error) }
        guard options.batchSize % group.size == 0 else {
            command.fail("--batch-size \(options.batchSize) is the global batch, and must be a multiple of the \(group.size) ranks")
        }
        if options.threads == nil {
            Backprop.threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount / group.localSize)
        }
        do { parallel = try DistributedDataParallel(network, optimizer: optimizer, group: group) } catch {
            group.abort("cannot start data-parallel training: \(error)")
        }
    }

    /// Averages the gradients across ranks, weighted by `samples`, then steps; a failure stops every rank.
    func step(samples: Int) {
        do { try parallel.step(samples: samples) } catch { group.abort("a training step failed: \(error)") }
    }

    /// The epoch's score over every rank's images, from each rank's score over its `seen` images.
    func combined(_ score: ClassificationScore, seen: Int) -> ClassificationScore {
        var sums = [score.loss * Double(seen), score.accuracy * Double(seen), Double(seen)]
        do { try group.allReduce(&sums) } catch { group.abort("cannot combine the ranks' scores: \(error)") }
        return ClassificationScore(loss: sums[0] / max(sums[2], 1), accuracy: sums[1] / max(sums[2], 1))
    }

    /// What the all-reduces cost, per step.
    var communicationSummary: String {
        let statistics = parallel.communication
        let steps = max(statistics.steps, 1)
        let microseconds = Double(statistics.time.components.attoseconds) * 1e-12 + Double(statistics.time.components.seconds) * 1e6
        return "\(group.size) ranks, \(statistics.bytes / steps) bytes all-reduced per step in \(parallel.bucketCount) "
            + "bucket\(parallel.bucketCount == 1 ? "" : "s"), \(String(format: "%.0f", microseconds / Double(steps))) µs per step"
    }
}
