// Vanishing gradients: why a deep network needs the right activation, initialisation or architecture.
//
// Five MLPs of 20 linear layers learn the three spirals, watched by a TrainingMonitor. With
// sigmoid and the default (small) initialisation, each layer passes back a fraction of the
// gradient it receives, and the first layers get almost nothing: they do not learn, and the
// monitor says so. Tanh does better; ReLU with Kaiming initialisation, LayerNorm, or residual
// connections keep the gradient's size from layer to layer. A second part starts a ReLU
// network with weights larger than Kaiming's: its gradients explode and the loss diverges,
// until clipGradientNorm bounds each step.
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "vanishing-gradients",
    summary: "Trains deep MLPs (sigmoid, tanh, ReLU + Kaiming, tanh + LayerNorm, tanh residual) on three spirals with a training "
        + "monitor, charts the gradient norm of every layer, then tames a large-init network's exploding gradients by clipping.",
    defaults: .init(epochs: 80, batchSize: 32, learningRate: 0.002, seed: 0),
    flags: [
        Flag("depth", .positiveInteger, help: "linear layers in each network, at least 2", default: "20"),
        Flag("width", .positiveInteger, help: "units in each hidden layer", default: "32"),
        Flag("points", .positiveInteger, help: "points per spiral arm", default: "100"),
        Flag("exploding-steps", .positiveInteger, help: "training steps of each large-init run (part 2)", default: "600"),
        Flag("init-scale", .positiveNumber, help: "part 2: the initial weights' size, in multiples of Kaiming's", default: "1.6"),
        Flag("max-norm", .positiveNumber, help: "part 2: the largest gradient norm clipping allows", default: "5"),
    ],
    sharedHelp: ["seed": "seeds the points, initialisation and shuffling",
                 "learning-rate": "the step size of SGD with momentum 0.9"]
)
let options = command.parseOrExit()
let (depth, width, perClass) = (options.integer("depth")!, options.integer("width")!, options.integer("points")!)
if depth < 2 { command.fail("--depth expects at least 2, not \(depth)", showingUsage: true) }
options.prepareOrExit(command)

/// `3.1e-09`.
func scientific(_ value: Double) -> String { value.isFinite ? String(format: "%.1e", value) : "\(value)" }
/// `value` padded on the right to `width` characters.
func column(_ value: String, _ width: Int) -> String { value.padding(toLength: max(width, value.count), withPad: " ", startingAt: 0) }

let data = Spirals.makeData(perClass: perClass, noise: 0.04, seed: options.seed)
let classes = Spirals.classCount
let start = Date()

// Part 1: the same task, five deep networks.
print("vanishing-gradients: \(depth)-layer MLPs of width \(width) on \(data.count) spiral points, "
      + "\(options.epochs) epochs of SGD (learning rate \(options.learningRate), momentum 0.9)\n")
var runs: [DeepRun] = []
for network in DeepNetwork.allCases {
    print("\(network.title):")
    let run = trainDeepNetwork(network, on: data, classCount: classes, depth: depth, width: width, epochs: options.epochs,
                               batchSize: options.batchSize, learningRate: options.learningRate, seed: options.seed &+ 1) {
        print("  warning: \($0)")
    }
    if run.warnings.isEmpty { print("  no warnings") }
    runs.append(run)
}

print("\ngradient norms at initialisation, and results after \(options.epochs) epochs:")
let header = [column("network", 22), column("first layer", 12), column("last layer", 11), column("first/last", 11),
              column("loss", 7), column("accuracy", 9), "warnings"]
print(header.joined(separator: " "))
for run in runs {
    let (first, last) = (run.initialNorms.first!, run.initialNorms.last!)
    let kinds = Set(run.warnings.map(\.kind))
    let warned = TrainingWarning.Kind.allCases.filter(kinds.contains).map(\.rawValue).joined(separator: ", ")
    print([column(run.network.title, 22), column(scientific(first), 12), column(scientific(last), 11),
           column(scientific(first / last), 11), column(String(format: "%.3f", run.epochLosses.last!), 7),
           column(String(format: "%.1f%%", 100 * run.accuracies.last!), 9), warned.isEmpty ? "none" : warned]
        .joined(separator: " "))
}

// The charts of part 1: gradient norm by depth, at the start and at the end; the training curves.
let layerAxis = (0..<depth).map(Double.init)
var initial = Chart(title: "Gradient norm by layer at initialisation", xLabel: "linear layer (0 = first)",
                    yLabel: "gradient norm", logarithmicY: true)
var final = Chart(title: "Gradient norm by layer, mean over the last epoch", xLabel: "linear layer (0 = first)",
                  yLabel: "gradient norm", logarithmicY: true)
var lossChart = Chart(title: "Training loss", xLabel: "epoch", yLabel: "cross-entropy", logarithmicY: true)
var accuracyChart = Chart(title: "Training accuracy", xLabel: "epoch", yLabel: "accuracy")
let epochAxis = (1...options.epochs).map(Double.init)
for run in runs {
    initial.addLine(run.network.title, x: layerAxis, y: run.initialNorms)
    final.addLine(run.network.title, x: layerAxis, y: run.finalNorms)
    lossChart.addLine(run.network.title, x: epochAxis, y: run.epochLosses)
    accuracyChart.addLine(run.network.title, x: epochAxis, y: run.accuracies)
}
let normsPath = options.outputPath("gradient-norms.svg"), curvesPath = options.outputPath("training-curves.svg")
command.writeOrExit(normsPath) { try Figure(title: "\(depth)-layer MLPs: gradient norm of each layer", columns: 2,
                                           panels: [initial, final]).write(to: $0) }
command.writeOrExit(curvesPath) { try Figure(title: "\(depth)-layer MLPs on three spirals", columns: 2,
                                            panels: [lossChart, accuracyChart]).write(to: $0) }

// Part 2: weights larger than Kaiming's make the gradients explode; clipping bounds each step.
let scale = Float(options.number("init-scale")!), maxNorm = options.number("max-norm")!
let steps = options.integer("exploding-steps")!
print("\npart 2: a \(depth)-layer ReLU network with weights \(scale) times Kaiming's, \(steps) steps")
var explodingRuns: [ExplodingRun] = []
for limit in [nil, maxNorm] as [Double?] {
    print(limit.map { "with clipGradientNorm(maxNorm: \($0)):" } ?? "without clipping:")
    let run = trainLargeInitNetwork(on: data, classCount: classes, depth: depth, width: width, scale: scale, steps: steps,
                                    batchSize: options.batchSize, learningRate: options.learningRate, maxNorm: limit,
                                    seed: options.seed &+ 2) { print("  warning: \($0)") }
    let finite = run.losses.filter(\.isFinite)
    print("  first loss \(scientific(run.losses.first!)), gradient norm \(scientific(run.gradientNorms.first!)); "
          + (run.diverged ? "the loss became \(run.losses.last!) at step \(run.losses.count - 1)"
                          : "after \(run.losses.count) steps loss \(String(format: "%.3f", finite.last!)), "
                            + "lowest \(String(format: "%.3f", finite.min()!))"))
    explodingRuns.append(run)
}
var explodingLoss = Chart(title: "Loss of the large-init network", xLabel: "step", yLabel: "cross-entropy", logarithmicY: true)
var explodingNorm = Chart(title: "Gradient norm before clipping", xLabel: "step", yLabel: "gradient norm", logarithmicY: true)
for run in explodingRuns {
    let label = run.maxNorm.map { "clipped to \(String(format: "%g", $0))" }
        ?? "not clipped" + (run.diverged ? " (\(run.losses.last!) at step \(run.losses.count - 1))" : "")
    let x = run.losses.indices.map(Double.init)
    explodingLoss.addLine(label, x: x, y: run.losses)
    explodingNorm.addLine(label, x: x, y: run.gradientNorms)
}
explodingNorm.addLine("max norm", x: [0, Double(steps - 1)], y: [maxNorm, maxNorm], dashed: true)
let explodingPath = options.outputPath("exploding.svg")
command.writeOrExit(explodingPath) {
    try Figure(title: "Exploding gradients, and clipping", columns: 2, panels: [explodingLoss, explodingNorm]).write(to: $0)
}

print("\nfinished in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
print("wrote \(normsPath), \(curvesPath) and \(explodingPath)")
