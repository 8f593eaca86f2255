// Spirals: a classifier whose decision boundary curls.
//
// Three interleaved spiral arms, one class each, cannot be told apart by straight
// lines. A 2-64-64-3 ReLU network trained with cross-entropy carves the plane into
// three curling regions. ReLU networks are piecewise linear, so the boundaries are
// made of many short straight pieces; the chart shows them under the points.
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "spirals",
    summary: "Classifies three interleaved spirals with a 2-H-H-3 ReLU MLP and cross-entropy, and draws the decision regions.",
    defaults: .init(epochs: 200, batchSize: 32, learningRate: 0.01, seed: 0),
    flags: [
        Flag("points", .positiveInteger, help: "points per spiral arm", default: "150"),
        Flag("noise", .nonNegativeNumber, help: "standard deviation of the jitter added to each coordinate", default: "0.04"),
        Flag("hidden", .positiveInteger, help: "units in each of the two hidden layers", default: "64"),
    ],
    sharedHelp: ["seed": "seeds the points, initialisation and shuffling"]
)
let options = command.parseOrExit()
let (perClass, noise, hidden) = (options.integer("points")!, options.number("noise")!, options.integer("hidden")!)
options.prepareOrExit(command)

let data = Spirals.makeData(perClass: perClass, noise: noise, seed: options.seed)
let model = Spirals.makeModel(hiddenUnits: hidden, seed: options.seed &+ 1)
let count = data.count
let history = trainClassifier(model, on: data, epochs: options.epochs, batchSize: options.batchSize,
                              learningRate: options.learningRate, seed: options.seed &+ 2, showsProgress: true)

// The regions the network assigns to each class, and the points on top, one colour per arm.
let span = -1.25...1.25
let regions = decisionRegions(x: span, y: span, resolution: 120) { predictedClasses(model, $0) }
var chart = Chart(title: "Three spirals: decision regions of a 2-\(hidden)-\(hidden)-3 ReLU network", xLabel: "x₁", yLabel: "x₂")
chart.addRegions(regions, x: span, y: span)
let labels = data.targets.scalars.map { Int($0) }
for arm in 0..<Spirals.classCount {
    let rows = labels.indices.filter { labels[$0] == arm }
    chart.addScatter("arm \(arm + 1)", x: rows.map { Double(data.inputs[$0, 0]) }, y: rows.map { Double(data.inputs[$0, 1]) })
}
let chartPath = options.outputPath("spirals-regions.svg")
// A square picture, so that circles stay round.
command.writeOrExit(chartPath) { try chart.svg(width: 580, height: 560).write(toFile: $0, atomically: true, encoding: .utf8) }

let final = history.last!
print("""

    \(count) points, 3 classes: training loss \(String(format: "%.4f", final.loss)), \
    training accuracy \(String(format: "%.1f", 100 * final.accuracy))%
    wrote \(chartPath)
    """)
