// Spirals: a classifier whose decision boundary curls.
//
// Three interleaved spiral arms, one class each, cannot be told apart by straight
// lines. A 2-64-64-3 ReLU network trained with cross-entropy carves the plane into
// three curling regions. ReLU networks are piecewise linear, so the boundaries are
// made of many short straight pieces; the chart shows them under the points.
import Backprop
import BackpropExamples
import BackpropNN
import Foundation

let command = ExampleCommand(
    name: "spirals",
    summary: "Classifies three interleaved spirals with a 2-H-H-3 ReLU MLP and cross-entropy, and draws the decision regions.",
    defaults: .init(epochs: 200, batchSize: 32, learningRate: 0.01, seed: 0),
    flags: [
        Flag("points", .integer, help: "points per spiral arm", default: "150"),
        Flag("noise", .number, help: "standard deviation of the jitter added to each coordinate", default: "0.04"),
        Flag("hidden", .integer, help: "units in each of the two hidden layers", default: "64"),
    ]
)
let options = command.parseOrExit()
let (perClass, noise, hidden) = (options.integer("points") ?? 150, options.number("noise") ?? 0.04, options.integer("hidden") ?? 64)
guard perClass > 0 else { command.fail("--points expects a positive count, not \(perClass)", showingUsage: true) }
guard noise >= 0 else { command.fail("--noise expects a standard deviation of 0 or more, not \(noise)", showingUsage: true) }
guard hidden > 0 else { command.fail("--hidden expects a positive count, not \(hidden)", showingUsage: true) }
options.prepareOrExit(command)

let data = Spirals.makeData(perClass: perClass, noise: noise, seed: options.seed)
let model = Spirals.makeModel(hiddenUnits: hidden, seed: options.seed &+ 1)
let count = data.count
let progress = ProgressBar(epochs: options.epochs, batchesPerEpoch: (count + options.batchSize - 1) / options.batchSize,
                           metricName: "accuracy")
let history = trainClassifier(model, on: data, epochs: options.epochs, batchSize: options.batchSize,
                             learningRate: options.learningRate, seed: options.seed &+ 2, progress: progress)

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
do {
    try chart.svg(width: 580, height: 560).write(toFile: chartPath, atomically: true, encoding: .utf8)
} catch {
    command.fail("cannot write \(chartPath): \(error.localizedDescription)")
}

let final = history.last!
print("""

    \(count) points, 3 classes: training loss \(String(format: "%.4f", final.loss)), \
    training accuracy \(String(format: "%.1f", 100 * final.accuracy))%
    wrote \(chartPath)
    """)
