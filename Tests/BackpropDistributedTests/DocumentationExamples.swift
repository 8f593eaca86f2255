import Backprop
import BackpropDistributed
import BackpropNN
import Foundation
import Testing

// The example of Docs/Distributed.md, between `// doc:` markers: compiled here, and run on two
// ranks by starting this test bundle itself under `mpirun`, where the environment variable below
// enables the test that runs it. BackpropTests checks that the document shows exactly this code.

/// Set in the two processes that `mpirun` starts from ``DistributedDocumentationExamples``.
private let rankVariable = "BACKPROP_DOCUMENTATION_RANK_RUN"

@Suite struct DistributedDocumentationExamples {
    #if os(Linux)
    static let unavailability = MPIRun.unavailability
    #else
    static let unavailability: String? = "starts the test bundle under mpirun, which Linux's test bundles allow"
    #endif

    @Test(.enabled(if: Self.unavailability == nil, "\(Self.unavailability ?? "")"))
    func theTrainingLoopRunsOnTwoRanks() throws {
        // This process's own executable: the test bundle, or the runner that loaded it.
        let tests = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let launcher = try #require(MPIRun.launcher)
        let options = MPIRun.isOpenMPI ? ["--oversubscribe", "-x", "\(rankVariable)=1"] : ["-genv", rankVariable, "1"]
        let result = try MPIRun.run(launcher, options + ["-np", "2", tests.path, "--testing-library", "swift-testing",
                                                         "--filter", "trainingLoopOfTheDocument"], timeout: 300)
        #expect(result.status == 0, "\(result.output)")
        // Rank 0 alone prints the loss, once.
        let printed = result.lines.filter { $0.hasPrefix("ranks: 2, loss: ") }
        #expect(printed.count == 1, "\(result.output)")
        let line = try #require(printed.first)
        let loss = try #require(Float(line.dropFirst("ranks: 2, loss: ".count)))
        #expect(loss < 0.01, "\(result.output)")
    }

    /// The document's loop; runs only on the ranks that `theTrainingLoopRunsOnTwoRanks` starts.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[rankVariable] != nil,
                   "runs on each rank of theTrainingLoopRunsOnTwoRanks's mpirun"))
    func trainingLoopOfTheDocument() throws {
        // doc: Docs/Distributed.md
        // Every rank runs this program. The data, the model and the seeds are the same on every rank.
        try ProcessGroup.run { group in
            let x = Tensor<Float>.uniform([1024, 1], low: -1, high: 1, seed: 1)
            let data = TensorDataset(inputs: x, targets: sin(x * 3))
            let model = withRandomSeed(2) {
                Sequential<Float>(Linear(inputSize: 1, outputSize: 32), Tanh(), Linear(inputSize: 32, outputSize: 1))
            }
            let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
            // Copies rank 0's parameters to every rank.
            let parallel = try DistributedDataParallel(model, optimizer: optimizer, group: group)
            // Each rank reads 16 examples of every global batch of 16 × group.size.
            let loader = DataLoader(data, batchSize: 16, shuffle: true, seed: 3, shard: group.shard)
            for _ in 1...40 {
                for batch in loader {
                    parallel.zeroGrad()
                    let loss = meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
                    loss.backward()
                    try parallel.step(samples: batch.inputs.shape[0])   // average the gradients, then Adam's step
                }
            }
            try parallel.save(to: FileManager.default.temporaryDirectory.appendingPathComponent("sine.safetensors"))
            if group.isMain {
                let loss = meanSquaredError(predicted: model(Variable(x)), expected: Variable(sin(x * 3)))
                print("ranks: \(group.size), loss: \(loss.scalar)")
            }
        }
        // end doc
    }
}
