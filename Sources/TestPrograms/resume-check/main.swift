// backprop-resume-check: the other process of the test that a checkpoint resumes training exactly.
//
//     backprop-resume-check SEED EPOCHS [--save FILE | --resume FILE]
//
// Inside withRandomSeed(SEED) it builds a small classifier with Dropout, SGD with momentum, a
// StepLR schedule and a shuffling DataLoader, and trains up to epoch EPOCHS; each batch also
// draws input noise from the scope's generator. With --resume it first loads FILE into those
// fresh objects and goes on from the epoch saved there; with --save it saves FILE at the end.
// It prints the epoch it started from, then every parameter's name and its bits in hex.
// Tests/BackpropNNTests/CheckpointProcessTests.swift runs it; it is not an example.
import Backprop
import BackpropNN
import Foundation

let usage = "usage: backprop-resume-check SEED EPOCHS [--save FILE | --resume FILE]"
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 || (arguments.count == 4 && ["--save", "--resume"].contains(arguments[2])),
      let seed = UInt64(arguments[0]), let epochs = Int(arguments[1]), epochs >= 0 else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
let file = arguments.count == 4 ? URL(fileURLWithPath: arguments[3]) : nil
let resuming = arguments.count == 4 && arguments[2] == "--resume"

// The data is the same whatever SEED is: four noisy clusters in 3-d.
var dataGenerator = SeededGenerator(seed: 2024)
let labels = (0..<36).map { $0 % 4 }
let centres = Tensor<Float>(shape: [36, 3], scalars: labels.flatMap { label in (0..<3).map { Float(label >> $0 & 1) * 2 } })
let dataset = TensorDataset(inputs: centres + .normal([36, 3], standardDeviation: 0.7, using: &dataGenerator), labels: labels)

do {
    let parameters: String = try withRandomSeed(seed) {
        let model = Sequential<Float>(Linear(inputSize: 3, outputSize: 8), Tanh(), Dropout(probability: 0.25),
                                      Linear(inputSize: 8, outputSize: 4))
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.2, momentum: 0.9)
        let schedule = StepLR(optimizer: optimizer, stepSize: 2, gamma: 0.5)
        let loader = DataLoader(dataset, batchSize: 8, shuffle: true)
        var start = 0
        if resuming, let file {
            start = try model.load(from: file, optimizer: optimizer, schedule: schedule, loader: loader) ?? 0
        }
        print("start \(start)")
        model.train()
        for _ in start..<max(start, epochs) {
            for batch in loader {
                var noise = RandomScope.makeGenerator()
                let inputs = batch.inputs + .normal(batch.inputs.shape, standardDeviation: 0.1, using: &noise)
                optimizer.zeroGrad()
                crossEntropy(logits: model(Variable(inputs)), labels: batch.labels).backward()
                optimizer.step()
            }
            schedule.step()
        }
        if !resuming, let file {
            try model.save(to: file, optimizer: optimizer, schedule: schedule, loader: loader, epoch: epochs)
        }
        return model.namedParameters().map { name, parameter in
            ([name] + parameter.value.scalars.map { String($0.bitPattern, radix: 16) }).joined(separator: " ")
        }.joined(separator: "\n")
    }
    print(parameters)
} catch {
    FileHandle.standardError.write(Data("backprop-resume-check: \(error)\n".utf8))
    exit(1)
}
