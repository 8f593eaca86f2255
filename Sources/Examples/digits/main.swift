// Digits: image classification from start to finish.
//
// It reads 1,797 real 8×8 handwritten digits, holds a fifth of them out as a test set,
// trains a small convolutional network (or an MLP) with cross-entropy and Adam, scores it
// on the held-out images with a confusion matrix, draws the learning curves, and saves a
// safetensors checkpoint that `--evaluate PATH` loads back. Docs/Tutorial.md walks
// through it step by step. With `--data-parallel`, under `mpirun`, it trains across the
// ranks of an MPI job (Docs/Distributed.md).
//
//     swift run -c release digits [--model cnn|mlp] [--evaluate PATH] [--epochs N] …
//     mpirun -np 2 .build/release/digits --data-parallel

import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

/// `0.9833` as "98.3%".
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

let command = ExampleCommand.digits
let options = command.parseOrExit()
let model = DigitsModel(rawValue: options.text("model")!)!
if let threads = options.threads { Backprop.threadCount = threads }

// The data: every seed gives its own split, so the checkpoint's test images are the same
// ones only when --evaluate is given the --seed it was trained with.
let digits: DigitsData
do { digits = try DigitsData.load() } catch { command.fail("cannot read the bundled digits", because: error) }
let (training, test) = digits.split(testFraction: 0.2, seed: options.seed)
let network = model.makeNetwork(seed: options.seed &+ 1)

/// Prints the test accuracy and the confusion matrix.
func report(_ result: DigitsEvaluation) {
    print("test accuracy \(percent(result.score.accuracy)) (\(result.correctCount) of \(test.count) images), "
          + "loss \(String(format: "%.4f", result.score.loss))")
    print("\nconfusion matrix (rows: the true digit, columns: the network's answer)\n" + result.confusionTable)
}

if let path = options.text("evaluate") {
    let url = URL(fileURLWithPath: path)
    do {
        try network.load(from: url)
    } catch {
        // Say which architecture the file does fit, if it fits the other one.
        let fitting = DigitsModel.allCases.first { $0 != model && (try? $0.makeNetwork(seed: 0).load(from: url)) != nil }
        command.fail("cannot load \(path) into the \(model) model: \(readableDescription(of: error))"
                     + (fitting.map { "\nit holds \($0) weights: add --model \($0)" } ?? ""))
    }
    print("digits: the \(model) model from \(path), on the \(test.count) test images of seed \(options.seed)")
    report(evaluate(network, on: test))
    exit(0)
}

options.prepareOrExit(command)
let compiledStep = options.isSet("compile") ? compiledLoss(of: network) : nil
let optimizer = Adam(parameters: network.parameters(), learningRate: Float(options.learningRate))
// With --data-parallel, every rank of the MPI job runs this program; rank 0 alone prints and writes.
let distributed = options.isSet("data-parallel")
    ? DataParallelRun(network: network, optimizer: optimizer, options: options, command: command) : nil
let (ranks, isMain) = (distributed?.group.size ?? 1, distributed?.group.isMain ?? true)
if isMain {
    print("digits: a \(model) with \(network.parameterCount) parameters learns from \(training.count) images "
          + "and is tested on \(test.count); \(options.epochs) epochs, \(Backprop.threadCount) threads"
          + (compiledStep == nil ? "" : ", compiled")
          + (distributed == nil ? "" : " per rank; \(ranks) ranks, each \(options.batchSize / ranks) of every batch of "
             + "\(options.batchSize)"))
}

// The loop: one training pass per epoch, then a score on the test images for the curves.
let loader = DataLoader(training, batchSize: options.batchSize / ranks, shuffle: true, seed: options.seed &+ 2,
                        shard: distributed?.group.shard)
let progress = isMain ? ProgressBar(epochs: options.epochs, batchesPerEpoch: loader.batchCount, metricName: "accuracy") : nil
var history: [(training: ClassificationScore, test: ClassificationScore)] = []
let start = Date()
for epoch in 1...options.epochs {
    var seen = 0
    let trained = trainEpoch(network, optimizer: optimizer, loader: loader, compiledLoss: compiledStep, onBatch: { index, batch, size in
        seen += size
        // Rank 0 shows its own batches, counted as the whole job's for the rate.
        progress?.update(epoch: epoch, batch: index + 1, loss: batch.loss, metric: batch.accuracy, samples: size * ranks)
    }, update: distributed.map { run in { run.step(samples: $0) } })
    let overall = distributed?.combined(trained, seen: seen) ?? trained
    guard let progress else { continue }    // rank 0 alone scores the test images and keeps the curves
    let tested = evaluate(network, on: test).score
    history.append((overall, tested))
    progress.finishEpoch(epoch: epoch, loss: overall.loss, metric: overall.accuracy,
                         note: "test accuracy \(String(format: "%.4f", tested.accuracy))")
}
let seconds = Date().timeIntervalSince(start)

// The summary, the checkpoint and the charts.
let checkpoint = options.outputPath("\(model).safetensors")
if let distributed {
    // Rank 0 writes; every rank waits for it, and stops if it failed.
    do { try distributed.parallel.save(to: URL(fileURLWithPath: checkpoint)) } catch {
        distributed.group.abort("cannot save the checkpoint: \(error)")
    }
    if !isMain {
        do { try distributed.group.finalize() } catch { distributed.group.abort("\(error)") }
        exit(0)
    }
}
let result = evaluate(network, on: test)
print("\ntrained in \(String(format: "%.1f", seconds)) s"
      + (compiledStep.map { ", \($0.tracingCallCount) steps traced and \($0.replayCount) replayed" } ?? "")
      + (distributed.map { "; \($0.communicationSummary)" } ?? ""))
report(result)

let epochs = history.indices.map { Double($0 + 1) }
var loss = Chart(title: "Loss", xLabel: "epoch", yLabel: "cross-entropy", logarithmicY: true)
loss.addLine("training", x: epochs, y: history.map(\.training.loss))
loss.addLine("test", x: epochs, y: history.map(\.test.loss), dashed: true)
var accuracy = Chart(title: "Accuracy", xLabel: "epoch", yLabel: "fraction correct")
accuracy.addLine("training", x: epochs, y: history.map(\.training.accuracy))
accuracy.addLine("test", x: epochs, y: history.map(\.test.accuracy), dashed: true)
let confusion = HeatMap(
    title: "Test images: true digit against the \(model)'s answer", values: result.confusion.map { $0.map(Double.init) },
    rowLabels: (0...9).map(String.init), columnLabels: (0...9).map(String.init), xLabel: "predicted", yLabel: "true"
)
if distributed == nil {
    do { try network.save(to: URL(fileURLWithPath: checkpoint)) } catch { command.fail("cannot save the checkpoint", because: error) }
}
command.writeOrExit(options.outputPath("\(model)-curves.svg")) {
    try Figure(title: "digits: \(model), training and test", columns: 2, panels: [loss, accuracy]).write(to: $0)
}
command.writeOrExit(options.outputPath("\(model)-confusion.svg")) { try confusion.write(to: $0) }
print("\nwrote \(checkpoint) (score it again: swift run -c release digits --model \(model) --evaluate \(checkpoint))")
print("      \(options.outputPath("\(model)-curves.svg")), \(options.outputPath("\(model)-confusion.svg"))")
if let distributed {
    do { try distributed.group.finalize() } catch { distributed.group.abort("\(error)") }
}
