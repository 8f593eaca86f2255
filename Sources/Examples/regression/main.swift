// Regression: fitting a curve with a small network.
//
// A 1-32-32-1 tanh network learns y = sin x from noisy samples, trained with Adam on
// the mean squared error in shuffled mini-batches from a DataLoader. The noise sets a
// floor: no model can get the training loss far below the noise variance σ² without
// memorising the noise, so the loss curve flattens near it. The chart shows the data,
// the fitted curve and the true sine, beside the loss per epoch on a log scale.
import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation

let command = ExampleCommand(
    name: "regression",
    summary: "Fits a 1-H-H-1 tanh MLP to noisy samples of sin x with Adam and mini-batches, and charts the fit and the loss.",
    defaults: .init(epochs: 200, batchSize: 32, learningRate: 0.01, seed: 0),
    flags: [
        Flag("points", .positiveInteger, help: "noisy samples of sin x on [−π, π]", default: "256"),
        Flag("noise", .nonNegativeNumber, help: "standard deviation σ of the noise", default: "0.1"),
        Flag("hidden", .positiveInteger, help: "units in each of the two hidden layers", default: "32"),
        Flag("compile", .toggle, help: "run each step's loss through compile (the same result, bit for bit)"),
    ],
    sharedHelp: ["seed": "seeds the samples, initialisation and shuffling"]
)
let options = command.parseOrExit()
let (points, noise, hidden) = (options.integer("points")!, options.number("noise")!, options.integer("hidden")!)
options.prepareOrExit(command)

let data = SineRegression.makeData(count: points, noise: noise, seed: options.seed)
let model = SineRegression.makeModel(hiddenUnits: hidden, seed: options.seed &+ 1)
let losses = SineRegression.train(model, on: data, epochs: options.epochs, batchSize: options.batchSize,
                                  learningRate: options.learningRate, seed: options.seed &+ 2, showsProgress: true,
                                  compiled: options.isSet("compile"))

// Left: the data, the fit and the truth. Right: the loss per epoch.
let grid = SineRegression.evenlySpaced(200)
var fit = Chart(title: "\(points) noisy samples of sin x (σ = \(noise))", xLabel: "x", yLabel: "y")
fit.addScatter("data", x: data.inputs.scalars.map(Double.init), y: data.targets.scalars.map(Double.init))
fit.addLine("1-\(hidden)-\(hidden)-1 MLP", x: grid, y: SineRegression.predict(model, at: grid))
fit.addLine("sin x", x: grid, y: grid.map { sin($0) }, dashed: true)
var curve = Chart(title: "Training loss (mean squared error)", xLabel: "epoch", yLabel: "loss", logarithmicY: true)
curve.addLine("training loss", x: losses.indices.map { Double($0 + 1) }, y: losses)
if noise > 0 { curve.addLine("noise variance σ²", x: [1, Double(losses.count)], y: [noise * noise, noise * noise], dashed: true) }
let chartPath = options.outputPath("regression.svg")
command.writeOrExit(chartPath) {
    try Figure(title: "Regression: an MLP fits a noisy sine", columns: 2, panels: [fit, curve]).write(to: $0)
}

print("""

    final training loss (MSE): \(String(format: "%.5f", losses.last!)) (noise variance σ² = \(String(format: "%.5f", noise * noise)))
    RMS distance from the fit to sin x on [−π, π]: \(String(format: "%.4f", SineRegression.errorAgainstSine(model)))
    wrote \(chartPath)
    """)
