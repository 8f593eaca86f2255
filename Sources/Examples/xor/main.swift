// XOR: the smallest problem that needs a hidden layer.
//
// XOR is 1 at (0,1) and (1,0) and 0 at (0,0) and (1,1). No straight line puts the
// two 1s on one side and the two 0s on the other (the problem is not linearly
// separable), so logistic regression, whose decision boundary is a line, can do no
// better than ½ everywhere. A hidden layer of tanh units bends the input space so
// that a line in the hidden space separates the classes. This program trains a
// 2-4-1 network, prints its truth table, compares it with the linear model, and
// draws the decision regions it learned.
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "xor",
    summary: "Trains a 2-H-1 tanh network on XOR's four points and draws its decision regions.",
    defaults: .init(epochs: 300, batchSize: 4, learningRate: 0.05, seed: 0),
    flags: [Flag("hidden", .nonNegativeInteger, help: "hidden tanh units; 0 gives logistic regression", default: "4")],
    sharedHelp: [
        "epochs": "passes over the four points",
        "batch-size": "points per step; 4 is the full batch",
        "seed": "seeds initialisation and shuffling",
    ]
)
let options = command.parseOrExit()
let hiddenUnits = options.integer("hidden")!
let network = hiddenUnits == 0 ? "2-1 linear" : "2-\(hiddenUnits)-1 tanh"
options.prepareOrExit(command)

// Train the network, and the same loop without a hidden layer for comparison.
let model = XOR.makeModel(hiddenUnits: hiddenUnits, seed: options.seed)
let losses = XOR.train(model, epochs: options.epochs, batchSize: options.batchSize,
                       learningRate: options.learningRate, seed: options.seed, showsProgress: true)
let linear = XOR.makeModel(hiddenUnits: 0, seed: options.seed)
let linearLoss = XOR.train(linear, epochs: options.epochs, batchSize: options.batchSize,
                           learningRate: options.learningRate, seed: options.seed).last!

// The truth table.
let probabilities = XOR.probabilities(of: model)
let linearProbabilities = XOR.probabilities(of: linear)
print("\n x₁  x₂  XOR   P(1), \(network)   predicted   P(1), linear")
for row in 0..<4 {
    let (x1, x2, target) = (XOR.inputs[row, 0], XOR.inputs[row, 1], XOR.targets[row, 0])
    let predicted = probabilities[row] > 0.5 ? 1 : 0
    let mark = predicted == Int(target) ? "✓" : "✗"
    print(String(format: "%3.0f %3.0f %4.0f   %*.4f   %6d %@   %12.4f", x1, x2, target, network.count + 6,
                 probabilities[row], predicted, mark, linearProbabilities[row]))
}

// The decision regions, with the four points drawn over them.
let span = -0.5...1.5
let regions = decisionRegions(x: span, y: span, resolution: 120) { points in
    XOR.probabilities(of: model, at: points).map { $0 > 0.5 ? 1 : 0 }
}
var chart = Chart(title: "XOR: decision regions of a \(network) network", xLabel: "x₁", yLabel: "x₂")
chart.addRegions(regions, x: span, y: span)
chart.addScatter("XOR = 0", x: [0, 1], y: [0, 1])
chart.addScatter("XOR = 1", x: [0, 1], y: [1, 0])
let chartPath = options.outputPath("xor-regions.svg")
// A square picture, so that the plane is not stretched.
command.writeOrExit(chartPath) { try chart.svg(width: 580, height: 560).write(toFile: $0, atomically: true, encoding: .utf8) }

let correct = zip(probabilities, XOR.targets.scalars).filter { ($0 > 0.5 ? 1 : 0) == Int($1) }.count
print("""

    \(network) network: loss \(String(format: "%.5f", losses.last!)) after \(options.epochs) epochs, \(correct)/4 correct
    linear model:     loss \(String(format: "%.5f", linearLoss)) (its best possible is ln 2 = 0.69315: P = ½ everywhere)
    wrote \(chartPath)
    """)
