// Learning rate: too small, about right, too large; and the batch size.
//
// The digits MLP (64-128-10) trains with plain SGD. First the learning-rate range test
// (findLearningRate) sweeps the rate from 1e-7 up until the loss takes off, and suggests a
// tenth of the rate at the lowest smoothed loss. Then three runs: at a thousandth of the
// suggestion the loss hardly moves; at the suggestion it falls fast; at a hundred times it
// diverges. Each step's loss is checked before its update, and a run whose loss is not finite,
// or above ten times its first, stops there and says where: no NaN reaches a chart or the
// weights. Last, the same rate with batches of 1, 32 and all the images: per epoch the small
// batches win, since they take many more steps; per second of training (measured on this
// machine, not claimed) the middle one does.
//
//     swift run -c release learning-rate [--epochs N] [--batch-epochs N] [--too-small F] [--too-large F] …

import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "learning-rate",
    summary: """
        Runs the learning-rate range test on the digits MLP under SGD, trains at a rate far too small, at the suggested
        one and at one that diverges (caught and reported), then compares batch sizes 1, 32 and the full batch.
        """,
    defaults: .init(epochs: 10, batchSize: 32, learningRate: 1e-7, seed: 0),
    flags: [
        Flag("end-rate", .positiveNumber, help: "the range test's last rate", default: "10"),
        Flag("too-small", .positiveNumber, help: "the slow run's rate is the suggestion divided by this", default: "1000"),
        Flag("too-large", .positiveNumber, help: "the divergent run's rate is the suggestion times this", default: "100"),
        Flag("blow-up", .positiveNumber, help: "a loss above this times the first step's counts as diverged", default: "10"),
        Flag("batch-epochs", .positiveInteger, help: "epochs of each batch-size run", default: "20"),
    ],
    sharedHelp: [
        "epochs": "epochs of each of the three learning-rate runs",
        "batch-size": "examples per step in the range test and the learning-rate runs",
        "learning-rate": "the range test's first rate",
        "seed": "seeds the split, initialisation and shuffling",
    ]
)
let options = command.parseOrExit()
let endRate = options.number("end-rate")!
guard endRate > options.learningRate else {
    command.fail("--end-rate \(endRate) must be above --learning-rate \(options.learningRate)", showingUsage: true)
}
let blowUp = options.number("blow-up")!
guard blowUp > 1 else { command.fail("--blow-up must be above 1, not \(blowUp)", showingUsage: true) }
options.prepareOrExit(command)

/// A number in three significant digits: "0.0123", "1.5e-06".
func short(_ value: Double) -> String { String(format: "%.3g", value) }

let digits: DigitsData
do { digits = try DigitsData.load() } catch { command.fail("cannot read the bundled digits", because: error) }
let (training, validation) = digits.split(testFraction: 0.2, seed: options.seed)
let networkSeed = options.seed &+ 1
print("learning-rate: the digits MLP (\(LearningRates.makeNetwork(seed: 0).parameterCount) parameters) under plain SGD, "
      + "\(training.count) training and \(validation.count) validation images, \(Backprop.threadCount) threads")

// 1. The range test.
let sweep = LearningRates.rangeTest(training: training, batchSize: options.batchSize, startLearningRate: options.learningRate,
                                    endLearningRate: endRate, seed: networkSeed)
guard let suggestion = sweep.suggestion.map(Double.init), let minimum = sweep.minimumIndex else {
    command.fail("the range test ended after \(sweep.learningRates.count) steps, too soon to suggest a rate: "
                 + "lower --learning-rate")
}
let rates = sweep.learningRates.map(Double.init), smoothed = sweep.smoothedLosses.map(Double.init)
print("""

    1. range test: \(sweep.learningRates.count) of \(sweep.stepCount) steps, the rate rising from \(short(rates.first!)) \
    to \(short(rates.last!))\(sweep.diverged ? ", where the loss took off and the test stopped" : "")
       lowest smoothed loss \(short(smoothed[minimum])) at rate \(short(rates[minimum])); suggestion: a tenth of that, \
    \(short(suggestion))
    """)
var rangeChart = Chart(title: "Range test: loss as the rate rises", xLabel: "learning rate (log scale)",
                       yLabel: "smoothed loss", logarithmicX: true)
rangeChart.addLine("smoothed loss", x: rates, y: smoothed)
rangeChart.addScatter("lowest, at \(short(rates[minimum]))", x: [rates[minimum]], y: [smoothed[minimum]])
let (low, high) = (smoothed.min()!, smoothed.max()!)
rangeChart.addLine("suggestion \(short(suggestion))", x: [suggestion, suggestion], y: [low, high], dashed: true)

// 2. Three rates.
let runRates = [suggestion / options.number("too-small")!, suggestion, suggestion * options.number("too-large")!]
let names = ["too small", "suggested", "too large"]
print("\n2. \(options.epochs) epochs at three rates, batches of \(options.batchSize)")
var runs: [LearningRateRun] = []
for (name, rate) in zip(names, runRates) {
    let run = LearningRates.train(learningRate: rate, training: training, validation: validation, epochs: options.epochs,
                                  batchSize: options.batchSize, blowUpFactor: blowUp, seed: networkSeed)
    let outcome = run.divergence.map { "\($0); the run stopped there" }
        ?? "training loss \(short(run.epochLosses[0])) → \(short(run.epochLosses.last!)), "
           + "validation accuracy \(String(format: "%.1f%%", run.validationAccuracy! * 100))"
    print("   \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) rate \(short(rate)): \(outcome)")
    runs.append(run)
}
var runChart = Chart(title: "Training at three rates", xLabel: "step (log scale)", yLabel: "batch loss (log scale)",
                     logarithmicX: true, logarithmicY: true)
for (name, run) in zip(names, runs) {
    let label = "\(name) \(short(run.learningRate))" + (run.divergence == nil ? "" : ": diverged")
    runChart.addLine(label, x: run.stepLosses.indices.map { Double($0 + 1) }, y: run.stepLosses)
}
// The loss that gave a divergence away, where it is a number: NaN and infinity are not drawn.
for run in runs {
    guard let divergence = run.divergence, divergence.loss.isFinite else { continue }
    runChart.addScatter("blew up at step \(divergence.overallStep)", x: [Double(divergence.overallStep)], y: [divergence.loss])
}

// 3. Three batch sizes at the suggested rate.
let batchEpochs = options.integer("batch-epochs")!
let batchSizes = [1, options.batchSize, training.count].reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
print("\n3. \(batchEpochs) epochs at rate \(short(suggestion)) with batches of \(batchSizes.map(String.init).joined(separator: ", "))")
var batchRuns: [BatchSizeRun] = []
for size in batchSizes {
    batchRuns.append(LearningRates.train(batchSize: size, learningRate: suggestion, training: training,
                                         validation: validation, epochs: batchEpochs, seed: networkSeed))
}
print(LearningRates.table(batchRuns))
print("   (seconds: the training time measured on this machine, without scoring the epochs; they vary with its load)")
var perEpoch = Chart(title: "Loss per epoch", xLabel: "epoch", yLabel: "training loss (log scale)", logarithmicY: true)
var perSecond = Chart(title: "Loss per second of training", xLabel: "seconds, measured (log scale)",
                      yLabel: "training loss (log scale)", logarithmicX: true, logarithmicY: true)
for run in batchRuns {
    let label = run.batchSize == training.count ? "full batch (\(run.batchSize))" : "batch size \(run.batchSize)"
    perEpoch.addLine(label, x: run.epochLosses.indices.map(Double.init), y: run.epochLosses)
    perSecond.addLine(label, x: run.seconds, y: run.epochLosses)
}

let ratesPath = options.outputPath("learning-rate.svg"), batchPath = options.outputPath("batch-size.svg")
command.writeOrExit(ratesPath) {
    try Figure(title: "Learning rate: the range test, and three rates under SGD", columns: 2,
               panels: [rangeChart, runChart]).write(to: $0)
}
command.writeOrExit(batchPath) {
    try Figure(title: "Batch size at rate \(short(suggestion)): per epoch and per measured second", columns: 2,
               panels: [perEpoch, perSecond]).write(to: $0)
}
print("\nwrote \(ratesPath), \(batchPath)")
