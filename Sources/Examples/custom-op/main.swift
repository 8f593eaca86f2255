// Custom op: a new primitive with its own gradient, defined outside the library.
//
// `binarized(x)` (in Sources/BackpropExamples/CustomOp/Binarized.swift) outputs sign(x),
// ±1, and is built with `Variable(_:recordedAs:inputs:vjp:)`, the library's extension
// point. Its VJP is a straight-through estimator: sign's true derivative is zero, so
// the VJP passes the gradient through unchanged where |x| ≤ 1 (the derivative of the
// surrogate hardtanh) and blocks it outside. This program prints the op's values and
// gradients, checks the VJP against the surrogate with `checkGradients`, then trains a
// network whose hidden units are binary (±1) on a toy task: is a point inside a disc?
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "custom-op",
    summary: "Defines a sign op with a straight-through gradient, checks it, and trains a binary-activation MLP with it.",
    defaults: .init(epochs: 200, batchSize: 32, learningRate: 0.01, seed: 0),
    flags: [
        Flag("points", .positiveInteger, help: "training points in [−1, 1]²", default: "1000"),
        Flag("hidden", .positiveInteger, help: "binary hidden units", default: "32"),
    ],
    sharedHelp: ["seed": "seeds the points, initialisation and shuffling"]
)
let options = command.parseOrExit()
let (count, hidden) = (options.integer("points")!, options.integer("hidden")!)
options.prepareOrExit(command)

// 1. The op at work: values are ±1; gradients pass where |x| ≤ 1.
let x = Variable(Tensor<Double>([-1.5, -0.5, 0, 0.4, 2]), requiresGrad: true)
(binarized(x) * Variable(Tensor([1, 2, 3, 4, 5]))).sum().backward()
print("x                          \(x.value)")
print("binarized(x)               \(binarized(x).value)")
print("∂/∂x Σ [1 2 3 4 5]·b(x)    \(x.grad!)   (the weights, where |x| ≤ 1)")

// 2. The gradient check: against the surrogate hardtanh it agrees; against sign itself
//    (whose derivative is 0) it must not, which is the point of a straight-through estimator.
let points = Tensor<Double>([-2.5, -0.7, -0.2, 0.3, 0.9, 1.8])
let surrogate = checkStraightThroughGradient(at: points)
let plain = checkGradients(at: [points]) { binarized($0[0]) }
print("checkGradients against hardtanh: max error \(String(format: "%.2e", surrogate.maxAbsoluteError))")
print("checkGradients against sign:     max error \(String(format: "%.2f", plain.maxAbsoluteError))",
      "(expected: the STE is not sign's derivative)\n")

// 3. Train a 2-H-2 network with binary hidden units, and the same network with hardtanh.
let data = BinarizedNetwork.makeDisc(count: count, seed: options.seed)
var runs: [(name: String, model: Sequential<Float>, history: [EpochResult])] = []
for (name, binary) in [("binary units (STE)", true), ("hardtanh units", false)] {
    print("training with \(name):")
    let model = BinarizedNetwork.makeModel(hiddenUnits: hidden, binary: binary, seed: options.seed &+ 1)
    runs.append((name, model, trainClassifier(model, on: data, epochs: options.epochs, batchSize: options.batchSize,
                                              learningRate: options.learningRate, seed: options.seed &+ 2, showsProgress: true)))
}

// Left: the loss curves. Right: what the binary network learned, a polygon-like region.
var curves = Chart(title: "Training loss, 2-\(hidden)-2 network", xLabel: "epoch", yLabel: "cross-entropy", logarithmicY: true)
for run in runs {
    curves.addLine(run.name, x: run.history.indices.map { Double($0 + 1) }, y: run.history.map(\.loss))
}
let span = -1.0...1.0
var regions = Chart(title: "Binary network's decision regions", xLabel: "x₁", yLabel: "x₂")
regions.addRegions(decisionRegions(x: span, y: span, resolution: 100) { predictedClasses(runs[0].model, $0) }, x: span, y: span)
let labels = data.targets.scalars.map { Int($0) }
for (label, name) in [(0, "outside"), (1, "inside")] {
    let rows = labels.indices.filter { labels[$0] == label }
    regions.addScatter(name, x: rows.map { Double(data.inputs[$0, 0]) }, y: rows.map { Double(data.inputs[$0, 1]) })
}
let chartPath = options.outputPath("custom-op.svg")
command.writeOrExit(chartPath) {
    try Figure(title: "A straight-through sign op: is a point inside the disc x² + y² < 0.5?", columns: 2,
               panels: [curves, regions]).write(to: $0)
}

print("")
for run in runs {
    let (first, last) = (run.history.first!, run.history.last!)
    print("\(run.name): loss \(String(format: "%.4f", first.loss)) after epoch 1 →",
          "\(String(format: "%.4f", last.loss)) after \(run.history.count);",
          "training accuracy \(String(format: "%.1f", 100 * last.accuracy))%")
}
print("wrote \(chartPath)")
