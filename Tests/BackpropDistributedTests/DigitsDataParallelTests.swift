import Foundation
import Testing

/// `mpirun -np 2 digits --data-parallel` is the one-process run with the same `--batch-size`:
/// each rank takes half of every batch of 32, and the gradients are averaged weighted by images.
@Suite(.enabled(if: MPIRun.unavailability == nil, "\(MPIRun.unavailability ?? "")"))
struct DigitsDataParallel {
    /// The epoch's loss and accuracy from the progress bar's line that ends the epoch, and the final
    /// test score. (`mpirun` gives the ranks a terminal, so there the bar redraws its line with "\r".)
    private func scores(_ output: String) -> [String] {
        output.replacingOccurrences(of: "\r", with: "\n").split(separator: "\n").compactMap { line -> String? in
            if line.hasPrefix("test accuracy") { return String(line) }
            guard line.contains("epoch 1/1"), line.contains("test accuracy 0."),
                  let range = line.range(of: "loss [0-9.]+  accuracy [0-9.]+", options: .regularExpression) else { return nil }
            return String(line[range])
        }
    }

    @Test func twoRanksMatchOneProcessAndPrintOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("digits-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let flags = ["--model", "mlp", "--epochs", "1", "--batch-size", "32"]
        let parallel = try MPIRun.ranks(2, flags + ["--data-parallel", "--output-dir", directory.appendingPathComponent("two").path],
                                        program: "digits", timeout: 300)
        #expect(parallel.status == 0, "\(parallel.output)")
        let single = try MPIRun.alone(flags + ["--threads", "1", "--output-dir", directory.appendingPathComponent("one").path],
                                      program: "digits", timeout: 300)
        #expect(single.status == 0, "\(single.output)")
        // One progress line for the epoch, one final accuracy: rank 0's.
        let printed = scores(parallel.output)
        #expect(printed.count == 2, "\(parallel.output)")
        #expect(printed == scores(single.output), "\(parallel.output)\n\(single.output)")
        #expect(parallel.output.contains("2 ranks, each 16 of every batch of 32"))
        // 9,610 gradients, a flag for each of the 4 parameters, and a sample count.
        #expect(parallel.output.contains("2 ranks, 38460 bytes all-reduced per step in 1 bucket"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("two/mlp.safetensors").path))
    }
}
