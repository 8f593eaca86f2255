import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Saving the whole state of training and loading it into fresh objects, for a resume that
/// continues the uninterrupted run bit for bit.
@Suite struct CheckpointResume {
    @Test func checkpointHoldsEveryPieceOfState() throws {
        try withTemporaryFile { url in
            let (run, scope) = try withRandomSeed(1) {
                let run = Run()
                run.trainEpoch()
                run.trainEpoch()
                try run.save(to: url, epoch: 2)
                return (run, try #require(RandomScope.generatorState))
            }
            #expect(run.schedule.currentStep == 8)                // 2 epochs of 4 batches (20 examples, 6 a batch)
            #expect(run.optimizer.learningRate == run.schedule.learningRate(atStep: 8))
            let dropout = try #require(run.model.layers[2] as? Dropout<Float>)
            #expect(run.model.namedGenerators().map(\.name) == ["2.generator"])
            #expect(try loadSafetensorsMetadata(from: url) == [
                "format": "pt", "epoch": "2", "schedule.step": "8",
                "optimizer.learning_rate": "\(run.optimizer.learningRate)",
                "rng.loader": "\(run.loader.shuffleState)",
                "rng.scope": "\(scope)",
                "rng.module.2.generator": "\(dropout.generator.state)",
            ])
            let tensors: [String: Tensor<Float>] = try loadSafetensors(from: url)
            #expect(tensors["optimizer.step"] == Tensor(8) && tensors["optimizer.3.weight.exp_avg"]?.shape == [3, 6])
            // Outside any scope, and without the other objects, only the module's generators join the tensors.
            try run.model.save(to: url)
            #expect(try loadSafetensorsMetadata(from: url) == ["format": "pt", "rng.module.2.generator": "\(dropout.generator.state)"])
        }
    }

    @Test func eachPieceLoadsIntoFreshObjects() throws {
        try withTemporaryFile { url in
            let (saved, nextSeed) = try withRandomSeed(1) {
                let run = Run()
                run.trainEpoch()
                run.trainEpoch()
                try run.save(to: url, epoch: 2)
                return (run.fingerprint, RandomScope.nextSeed())
            }
            try withRandomSeed(2) {
                let fresh = Run()
                let before = fresh.fingerprint
                #expect(before.tensors.keys == saved.tensors.keys)
                #expect(before.tensors.allSatisfy { saved.tensors[$0.key] != $0.value })
                #expect(before.generators != saved.generators && before.optimizer != saved.optimizer)
                #expect(before.learningRate != saved.learningRate && before.scheduleStep != saved.scheduleStep)
                #expect(before.loader != saved.loader && before.scope != saved.scope)
                let epoch = try fresh.load(from: url)
                #expect(epoch == 2 && fresh.fingerprint == saved)
                #expect(RandomScope.nextSeed() == nextSeed)     // the scope goes on as the saved run's would
            }
        }
    }

    @Test(arguments: [0, 1, 2, 3])
    func resumedRunIsBitIdenticalToTheUninterruptedOne(savedAt epochs: Int) throws {
        let total = 4
        let straight = withRandomSeed(1) {
            let run = Run()
            for _ in 0..<total { run.trainEpoch() }
            return snapshot(run.model)
        }
        try withTemporaryFile { url in
            try withRandomSeed(1) {
                let run = Run()
                for _ in 0..<epochs { run.trainEpoch() }
                try run.save(to: url, epoch: epochs)
            }
            let resumed = try withRandomSeed(99) {              // fresh objects, other seeds
                let run = Run()
                let start = try #require(try run.load(from: url))
                #expect(start == epochs)
                for _ in start..<total { run.trainEpoch() }
                return snapshot(run.model)
            }
            #expect(resumed == straight)
        }
    }

    /// The parts of the state that ``resumingWithoutOnePieceDiverges(_:)`` leaves out, one at a time.
    enum Piece: CaseIterable, Sendable { case optimizer, schedule, loader, dropout, scope }

    @Test(arguments: Piece.allCases)
    func resumingWithoutOnePieceDiverges(_ missing: Piece) throws {
        let straight = withRandomSeed(1) {
            let run = Run()
            for _ in 0..<3 { run.trainEpoch() }
            return snapshot(run.model)
        }
        try withTemporaryFile { url in
            try withRandomSeed(1) {
                let run = Run()
                run.trainEpoch()
                try run.save(to: url, epoch: 1)
            }
            let run = withRandomSeed(99) { Run() }
            func load() throws {
                try run.model.load(from: url, optimizer: missing == .optimizer ? nil : run.optimizer,
                                   schedule: missing == .schedule ? nil : run.schedule,
                                   loader: missing == .loader ? nil : run.loader)
            }
            if missing == .scope { try load() }                 // outside the scope: nothing to restore it into
            try withRandomSeed(99) {
                if missing != .scope { try load() }
                if missing == .dropout { run.model.namedGenerators()[0].generator.state = 99 }
                run.trainEpoch()
                run.trainEpoch()
            }
            #expect(snapshot(run.model) != straight)
        }
    }

    @Test func filesWithoutTrainingStateStillLoad() throws {
        try withTemporaryFile { url in
            let old = withRandomSeed(1) {
                let run = Run()
                run.trainEpoch()
                return run
            }
            // The file as earlier versions wrote it: the model's and the optimizer's tensors, no metadata.
            try old.model.save(to: url, optimizer: old.optimizer)
            try saveSafetensors(try loadSafetensors(from: url) as [String: Tensor<Float>], to: url)
            try withRandomSeed(2) {
                let fresh = Run()
                let before = fresh.fingerprint
                let error = #expect(throws: CheckpointError.self) { try fresh.load(from: url) }
                #expect(error == .missingState(url, names: ["schedule.step", "rng.loader"]))
                #expect(error?.description.hasSuffix(#"the file holds no training state "schedule.step", "rng.loader" "#
                                                     + "for the objects being loaded (pass strict: false to leave them as they are)") == true)
                #expect(fresh.fingerprint == before)
                // Without a schedule and a loader, a strict load works as it did; what the file lacks keeps its value.
                #expect(try fresh.model.load(from: url, optimizer: fresh.optimizer) == nil)
                #expect(snapshot(fresh.model) == snapshot(old.model) && fresh.optimizer.state() == old.optimizer.state())
                #expect(fresh.fingerprint.generators == before.generators && fresh.fingerprint.scope == before.scope)
                #expect(fresh.optimizer.learningRate == before.learningRate)
                try fresh.load(from: url, strict: false)
                #expect(fresh.schedule.currentStep == 0 && fresh.loader.shuffleState == before.loader)
            }
        }
    }

    @Test func strictLoadNeedsEveryGeneratorOnceTheFileHoldsAny() throws {
        let saved = withRandomSeed(1) { Sequential<Float>(Dropout(), Linear(inputSize: 2, outputSize: 2), Dropout()) }
        let fresh = withRandomSeed(2) { Sequential<Float>(Dropout(), Linear(inputSize: 2, outputSize: 2), Dropout()) }
        let states = { (model: Sequential<Float>) in model.namedGenerators().map(\.generator.state) }
        let before = states(fresh)
        try withTemporaryFile { url in
            try saved.save(to: url)
            var metadata = try loadSafetensorsMetadata(from: url)
            #expect(metadata.keys.sorted() == ["format", "rng.module.0.generator", "rng.module.2.generator"])
            metadata["rng.module.2.generator"] = nil
            try saveSafetensors(try loadSafetensors(from: url) as [String: Tensor<Float>], to: url, metadata: metadata)
            #expect(throws: CheckpointError.missingState(url, names: ["rng.module.2.generator"])) { try fresh.load(from: url) }
            #expect(states(fresh) == before)
            try fresh.load(from: url, strict: false)
        }
        #expect(states(fresh) == [states(saved)[0], before[1]])
    }

    @Test(arguments: [("epoch", "two", "an integer"), ("schedule.step", "-1", "a non-negative integer"),
                      ("optimizer.learning_rate", "fast", "a number"), ("rng.loader", "-5", "an unsigned 64-bit integer"),
                      ("rng.scope", "1.5", "an unsigned 64-bit integer"),
                      ("rng.module.2.generator", "18446744073709551616", "an unsigned 64-bit integer")])
    func malformedStateThrowsAndChangesNothing(name: String, value: String, expected: String) throws {
        try withTemporaryFile { url in
            try withRandomSeed(1) {
                let run = Run()
                run.trainEpoch()
                try run.save(to: url, epoch: 1)
            }
            var metadata = try loadSafetensorsMetadata(from: url)
            metadata[name] = value
            try saveSafetensors(try loadSafetensors(from: url) as [String: Tensor<Float>], to: url, metadata: metadata)
            withRandomSeed(2) {
                let fresh = Run()
                let before = fresh.fingerprint
                let error = #expect(throws: CheckpointError.self) { try fresh.load(from: url, strict: false) }
                #expect(error == .invalidState(url, name: name, reason: "\"\(value)\" is not \(expected)"))
                #expect(error?.description.hasSuffix(#"metadata "\#(name)": "\#(value)" is not \#(expected)"#) == true)
                #expect(fresh.fingerprint == before)
            }
        }
    }

    @Test func failedLoadsChangeNothing() throws {
        try withTemporaryFile { url in
            try withRandomSeed(1) {
                let run = Run()
                run.trainEpoch()
                try run.save(to: url, epoch: 1)
            }
            try withRandomSeed(2) {
                let wider = Run(outputs: 4), fresh = Run()
                let (widerBefore, before) = (wider.fingerprint, fresh.fingerprint)
                #expect(throws: CheckpointError.shapeMismatch(url, name: "3.weight", expected: [4, 6], found: [3, 6])) {
                    try wider.load(from: url)
                }
                #expect(wider.fingerprint == widerBefore)
                // An optimizer that refuses its state: it is checked first, so nothing else changes either.
                var tensors: [String: Tensor<Float>] = try loadSafetensors(from: url)
                tensors["optimizer.0.bias.exp_avg"] = .zeros([5])
                try saveSafetensors(tensors, to: url, metadata: try loadSafetensorsMetadata(from: url))
                #expect(throws: CheckpointError.self) { try fresh.load(from: url) }
                #expect(fresh.fingerprint == before)
                // A corrupt file.
                var bytes = try Data(contentsOf: url)
                bytes.removeLast(3)
                try bytes.write(to: url)
                #expect(throws: SafetensorsError.self) { try fresh.load(from: url) }
                #expect(fresh.fingerprint == before)
            }
        }
    }
}

@Suite struct CheckpointResumeDocumentation {
    @Test func exampleResumesExactly() throws {
        try withTemporaryDirectory { directory in
            // doc: Docs/Checkpoints.md
            let checkpoint = directory.appendingPathComponent("run.safetensors")
            let data = TensorDataset(inputs: Tensor<Float>.normal([64, 2], seed: 1), labels: (0..<64).map { $0 % 2 })

            /// Trains to epoch `epochs`, saving after each one; with `resume`, starts from the checkpoint.
            func train(epochs: Int, seed: UInt64, resume: Bool) throws -> Sequential<Float> {
                try withRandomSeed(seed) {          // the scope's generator is saved and restored too
                    let model = Sequential<Float>(Linear(inputSize: 2, outputSize: 8), ReLU(), Dropout(probability: 0.2),
                                                  Linear(inputSize: 8, outputSize: 2))
                    let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
                    let schedule = StepLR(optimizer: optimizer, stepSize: 2, gamma: 0.5)
                    let loader = DataLoader(data, batchSize: 16, shuffle: true)
                    var start = 0
                    if resume {
                        start = try model.load(from: checkpoint, optimizer: optimizer, schedule: schedule, loader: loader) ?? 0
                    }
                    for epoch in start..<epochs {
                        for batch in loader {
                            optimizer.zeroGrad()
                            crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels).backward()
                            optimizer.step()
                        }
                        schedule.step()
                        try model.save(to: checkpoint, optimizer: optimizer, schedule: schedule, loader: loader, epoch: epoch + 1)
                    }
                    return model
                }
            }

            let uninterrupted = try train(epochs: 6, seed: 1, resume: false)
            _ = try train(epochs: 3, seed: 1, resume: false)      // stopped after epoch 3…
            let resumed = try train(epochs: 6, seed: 2, resume: true)  // …and resumed, in objects built from another seed
            // resumed's parameters equal uninterrupted's, bit for bit
            // end doc
            #expect(snapshot(resumed) == snapshot(uninterrupted))
            #expect(try loadSafetensorsMetadata(from: checkpoint)["epoch"] == "6")

            let (model, url) = (resumed, directory.appendingPathComponent("short.safetensors"))
            let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
            let schedule = StepLR(optimizer: optimizer, stepSize: 2, gamma: 0.5)
            let loader = DataLoader(data, batchSize: 16, shuffle: true)
            // doc: Docs/Checkpoints.md
            try model.save(to: url, optimizer: optimizer, schedule: schedule, loader: loader, epoch: 6)
            let epoch = try model.load(from: url, optimizer: optimizer, schedule: schedule, loader: loader)  // 6
            // end doc
            #expect(epoch == 6)
        }
    }
}

// MARK: - Support

/// Everything a checkpoint of a ``Run`` restores, to compare before and after.
private struct Fingerprint: Equatable {
    let tensors: [String: Data]
    let generators: [UInt64]
    let optimizer: OptimizerState<Float>
    let learningRate: Float
    let scheduleStep: Int
    let loader: UInt64
    let scope: UInt64?
}

/// A small training run whose every random draw comes from the scope it is built and trained in: a
/// classifier with Dropout, Adam, a cosine schedule stepped after every batch, a shuffling loader,
/// and input noise drawn from the scope's generator for every batch.
private final class Run {
    static let data: TensorDataset<Float> = {
        var generator = SeededGenerator(seed: 11)
        return TensorDataset(inputs: .normal([20, 3], using: &generator), labels: (0..<20).map { $0 % 3 })
    }()

    let model: Sequential<Float>
    let optimizer: Adam<Float>
    let schedule: CosineAnnealingLR<Float>
    let loader: DataLoader<TensorDataset<Float>>

    init(outputs: Int = 3) {
        model = Sequential(Linear(inputSize: 3, outputSize: 6), ReLU(), Dropout(probability: 0.3),
                           Linear(inputSize: 6, outputSize: outputs))
        optimizer = Adam(parameters: model.parameters(), learningRate: 0.05)
        schedule = CosineAnnealingLR(optimizer: optimizer, maximumSteps: 10)
        loader = DataLoader(Run.data, batchSize: 6, shuffle: true)
    }

    func trainEpoch() {
        for batch in loader {
            var noise = RandomScope.makeGenerator()
            let inputs = batch.inputs + .normal(batch.inputs.shape, standardDeviation: 0.1, using: &noise)
            optimizer.zeroGrad()
            crossEntropy(logits: model(Variable(inputs)), labels: batch.labels).backward()
            optimizer.step()
            schedule.step()
        }
    }

    func save(to url: URL, epoch: Int) throws {
        try model.save(to: url, optimizer: optimizer, schedule: schedule, loader: loader, epoch: epoch)
    }

    @discardableResult
    func load(from url: URL, strict: Bool = true) throws -> Int? {
        try model.load(from: url, optimizer: optimizer, schedule: schedule, loader: loader, strict: strict)
    }

    var fingerprint: Fingerprint {
        Fingerprint(tensors: snapshot(model), generators: model.namedGenerators().map(\.generator.state),
                    optimizer: optimizer.state(), learningRate: optimizer.learningRate, scheduleStep: schedule.currentStep,
                    loader: loader.shuffleState, scope: RandomScope.generatorState)
    }
}
