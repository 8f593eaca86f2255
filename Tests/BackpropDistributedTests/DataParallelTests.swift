import Foundation
import Testing

/// Training on several ranks is training on one with the global batch, within float rounding.
///
/// The program trains a 6→16→3 tanh network with SGD (momentum 0.9) and a mean-squared-error
/// loss, each rank on its shard of each batch, and rank 0 then trains the same network in one
/// process, with the ranks' batch size times the number of ranks, and prints the largest
/// difference between the two runs' parameters. Measured on 2026-12-07 with Open MPI 4.1.4
/// (and MPICH 4.0.2 by hand): 0.9e-7 to 2.4e-7 (1 or 2 float ulps of the largest parameter,
/// 0.5 to 1.4), after 40 to 100 steps. The ranks sum their gradients in another order than one
/// process does; the tolerance, 1e-6, allows for that and nothing more.
@Suite(.enabled(if: MPIRun.unavailability == nil, "\(MPIRun.unavailability ?? "")"))
struct DataParallelEquivalence {
    static let tolerance: Float = 1e-6

    /// The largest difference that rank 0 printed.
    private func difference(_ result: MPIRun.Result) throws -> Float {
        let line = try #require(result.lines(ofRank: 0).first { $0.hasPrefix("largest difference") }, "\(result.output)")
        let number = try #require(line.split(separator: ":").last?.split(separator: " ").first)
        return try #require(Float(number))
    }

    @Test func twoRanksTrainAsOneProcessWithTheGlobalBatch() throws {
        // 256 examples, 8 per rank: 16 steps a pass. Buckets of at most 300 bytes: two all-reduces a step.
        let result = try MPIRun.ranks(2, ["equivalence", "40", "8", "256", "--bucket-bytes", "300"])
        #expect(result.status == 0, "\(result.output)")
        for rank in 0..<2 {
            // 16·6 + 16 + 3·16 + 3 = 163 gradients, a flag for each of the 4 parameters, a sample count per bucket.
            #expect(result.lines(ofRank: rank).contains("2 buckets, 676 bytes per step, 80 all-reduces in 40 steps"),
                    "\(result.output)")
            #expect(result.lines(ofRank: rank).contains("the ranks' parameters are identical"))
        }
        #expect(try difference(result) <= Self.tolerance)
    }

    @Test func unevenLastBatchesAreWeightedBySamples() throws {
        // 249 examples: every pass ends with a global batch of 9, split 5 and 4.
        let weighted = try MPIRun.ranks(2, ["equivalence", "100", "8", "249", "--weighted"])
        #expect(weighted.status == 0, "\(weighted.output)")
        #expect(try difference(weighted) <= Self.tolerance)
        // Averaging the two ranks' means equally is what PyTorch does, and here it differs.
        let unweighted = try MPIRun.ranks(2, ["equivalence", "100", "8", "249"])
        #expect(try difference(unweighted) > 1e-4)
    }

    @Test func threeRanksOnTwoCores() throws {
        // 305 examples, 5 per rank: each pass ends with 5 examples, split 2, 2 and 1.
        let result = try MPIRun.ranks(3, ["equivalence", "60", "5", "305", "--weighted"])
        #expect(result.status == 0, "\(result.output)")
        #expect((0..<3).allSatisfy { result.lines(ofRank: $0).contains("the ranks' parameters are identical") })
        #expect(try difference(result) <= Self.tolerance)
    }

    @Test func theWrapperRefusesDifferentModelsAveragesWhatRanksHaveAndSavesFromRankZero() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("distributed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try MPIRun.ranks(2, ["wrapping", directory.path])
        #expect(result.status == 0, "\(result.output)")
        for rank in 0..<2 {
            let lines = result.lines(ofRank: rank)
            let width = 3 + rank
            #expect(lines.contains("different models: DistributedDataParallel: the ranks' models differ: rank \(rank) has "
                                   + "4 parameters of shapes [\(width), 2], [\(width)], [1, \(width)], [1]"), "\(result.output)")
            #expect(lines.contains("loaded epoch 1, the saved state"))
            #expect(lines.contains { $0.hasPrefix("save into a missing directory: rank 0 could not write \(directory.path)/missing") })
            // The mean of the ranks' [1, 1] and [2, 2]; rank 0's 2 and nothing from rank 1, halved; no gradient
            // where no rank had one; a frozen parameter left alone.
            #expect(lines.contains("gradients: shared [1.5, 1.5], sometimes [1.0], never none, frozen none"), "\(result.output)")
        }
        #expect(result.lines(ofRank: 1).contains("load missing on rank 1: \(directory.path)/host-1/run.safetensors: no such file"))
        #expect(result.lines(ofRank: 0).contains(
            "load missing on rank 1: DistributedDataParallel.load: rank 1 could not load run.safetensors (its own error says why)"))
    }
}

/// A rank that fails stops the whole job, soon, with a message that names it.
@Suite(.enabled(if: MPIRun.unavailability == nil, "\(MPIRun.unavailability ?? "")"))
struct DataParallelFaults {
    /// Seconds within which every rank must be gone: the launcher's own clean-up takes about one.
    static let bound = 30.0

    @Test func aKilledRankStopsEveryRank() throws {
        let result = try MPIRun.ranks(2, ["fault", "kill", "1", "3"], timeout: 120)
        #expect(result.status != 0)
        #expect(result.seconds < Self.bound, "\(result.seconds) s")
        #expect(result.lines(ofRank: 1).last == "failing at step 3 (kill)", "\(result.output)")
        #expect(!result.lines(ofRank: 0).contains { $0.hasPrefix("step 3") || $0.hasPrefix("finished") })
        // Open MPI: "mpirun noticed that process rank 1 with PID … exited on signal 9 (Killed)."
        if MPIRun.isOpenMPI { #expect(result.output.contains("process rank 1 with PID"), "\(result.output)") }
    }

    @Test func aRankThatThrowsStopsEveryRankNamingItself() throws {
        let result = try MPIRun.ranks(2, ["fault", "throw", "1", "3"], timeout: 120)
        #expect(result.status != 0)
        #expect(result.seconds < Self.bound, "\(result.seconds) s")
        #expect(result.output.contains("backprop-distributed: rank 1 of 2 ("), "\(result.output)")
        #expect(result.output.contains(") failed: an error thrown on purpose at step 3\nbackprop-distributed: stopping all 2 ranks"))
        #expect(!result.lines(ofRank: 0).contains { $0.hasPrefix("step 3") || $0.hasPrefix("finished") })
    }

    @Test func aRankThatHangsTimesTheOthersOut() throws {
        // 8 s: long enough that a rank slowed by a busy machine is not taken for a hung one.
        let result = try MPIRun.ranks(2, ["fault", "hang", "1", "3", "--timeout", "8"], timeout: 120)
        #expect(result.status != 0)
        #expect(result.seconds >= 8 && result.seconds < 8 + Self.bound, "\(result.seconds) s")
        #expect(result.output.contains("backprop-distributed: rank 0 of 2 (") && result.output.contains(
            ") waited 8.0 seconds in MPI_Allreduce without every rank arriving"), "\(result.output)")
    }

    @Test func killingRankZeroWhileItWritesLeavesTheLastWholeCheckpoint() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("distributed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("run.safetensors")
        let result = try MPIRun.ranks(2, ["fault", "kill", "0", "3", "--checkpoint", file.path], timeout: 120)
        #expect(result.status != 0)
        #expect(result.seconds < Self.bound, "\(result.seconds) s")
        // The kill came while the temporary file was being written: it is still there, cut short.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left.contains { $0.hasPrefix(".run.safetensors.") && $0.hasSuffix(".tmp") }, "\(left)")
        let check = try MPIRun.alone(["verify-checkpoint", file.path])
        #expect(check.lines(ofRank: 0) == ["the checkpoint loads, step 2"], "\(check.output)")
    }
}
