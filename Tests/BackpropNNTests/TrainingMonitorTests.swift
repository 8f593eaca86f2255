import Backprop
import Foundation
import Testing
@testable import BackpropNN
import BackpropPlot

/// A model of top-level parameters, each its own layer.
private struct Parameters: Module {
    typealias Scalar = Double
    let w: Variable<Double>
    let v: Variable<Double>
    func callAsFunction(_ input: Variable<Double>) -> Variable<Double> { input }
}

/// Collects what a monitor reports.
private final class Reports {
    var warnings: [TrainingWarning] = []
    func monitor<M: Module>(_ model: M, _ thresholds: MonitorThresholds = MonitorThresholds()) -> TrainingMonitor<M.Scalar> {
        TrainingMonitor(model: model, thresholds: thresholds) { self.warnings.append($0) }
    }
}

/// A `depth`-layer MLP of width `width`, weights normal with standard deviation `deviation`, zero biases,
/// each layer followed by `activation`, then a linear layer to one output.
private func deepNetwork(depth: Int, width: Int, deviation: Double, activation: () -> any Layer<Double>,
                         seed: UInt64) -> Sequential<Double> {
    var layers: [any Layer<Double>] = []
    for i in 0..<depth {
        let weight = Tensor<Double>.normal([width, width], standardDeviation: deviation, seed: seed &+ UInt64(i))
        layers += [Linear(weight: weight, bias: .zeros([width])), activation()]
    }
    layers.append(Linear(weight: .normal([1, width], standardDeviation: deviation, seed: seed &+ 1000), bias: .zeros([1])))
    return Sequential(layers: layers)
}

/// The mean squared error of `model` against targets.
private func squaredError(_ model: Sequential<Double>, _ x: Tensor<Double>, _ y: Tensor<Double>) -> Variable<Double> {
    meanSquaredError(predicted: model(Variable(x)), expected: Variable(y))
}

/// The first layer of `model`, a Linear.
private func linearLayer(_ model: Sequential<Double>) -> Linear<Double> { model.layers[0] as! Linear<Double> }

/// The warnings of `kind` among `warnings`.
private func of(_ kind: TrainingWarning.Kind, _ warnings: [TrainingWarning]) -> [TrainingWarning] {
    warnings.filter { $0.kind == kind }
}

@Suite("Training monitor")
struct TrainingMonitorTests {
    @Test func recordsLayerNormsUpdateRatiosAndNodeCounts() {
        let model = Parameters(w: Variable(Tensor([1.0, 1.0]), requiresGrad: true), v: Variable(Tensor([2.0]), requiresGrad: true))
        let reports = Reports()
        let monitor = reports.monitor(model)
        #expect(monitor.layers == ["w", "v"])
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
        let x = Variable(Tensor([3.0, 4.0]))
        for _ in 0..<3 {
            optimizer.zeroGrad()
            // Recorded ops: multiply, sum, exp, sum, add: 5. ∂/∂w = x, ∂/∂v = e^v.
            let loss = (model.w * x).sum() + exp(model.v).sum()
            monitor.backward(loss)
            optimizer.step()
        }
        #expect(monitor.history.map(\.step) == [0, 1, 2])
        #expect(monitor.history.map(\.nodeCount) == [5, 5, 5])
        let first = monitor.history[0]
        #expect(first.loss == 7 + exp(2))
        #expect(first.gradientNorms["w"] == 5)
        #expect(first.gradientNorms["v"] == exp(2))
        // The step moved w by 0.1·x = (0.3, 0.4) from (1, 1): ‖Δw‖/‖w‖ = 0.5/√2.
        expectClose(first.updateRatios["w"]!, 0.5 / 2.0.squareRoot(), tolerance: 1e-15)
        expectClose(first.updateRatios["v"]!, 0.1 * exp(2) / 2, tolerance: 1e-15)
        #expect(monitor.history[2].updateRatios.isEmpty)      // no step after the last backward yet
        #expect(monitor.history.allSatisfy { $0.outlivingNodeCount == 0 })
        #expect(monitor.losses == monitor.history.map(\.loss))
        #expect(monitor.layerGradientNorms(atStep: 0) == [5, exp(2)])
        #expect(reports.warnings.isEmpty && monitor.warnings.isEmpty)
    }

    @Test func layerNormCombinesItsParametersAndCountsOnlyItsOwnSweep() {
        let model = withRandomSeed(1) { Sequential<Double>(Linear(inputSize: 3, outputSize: 2), Tanh(), Linear(inputSize: 2, outputSize: 1)) }
        let monitor = TrainingMonitor(model: model) { _ in }
        #expect(monitor.layers == ["0", "2"])
        let x = Tensor<Double>.uniform([5, 3], low: -1, high: 1, seed: 2), y = Tensor<Double>.ones([5, 1])
        // A sweep outside the monitor is not recorded: only the monitored one's gradient counts.
        squaredError(model, x, y).backward()
        model.zeroGrad()
        monitor.backward(squaredError(model, x, y))
        let expected = (linearLayer(model).weight.grad! * linearLayer(model).weight.grad!).sum().scalar
            + (linearLayer(model).bias!.grad! * linearLayer(model).bias!.grad!).sum().scalar
        expectClose(monitor.history[0].gradientNorms["0"]!, expected.squareRoot(), tolerance: 1e-14)
        #expect(monitor.history[0].saturatedFractions.keys.sorted() == ["0"])
    }

    @Test func healthyNetworkRaisesNoWarning() {
        let model = withRandomSeed(3) {
            Sequential<Double>(Linear(inputSize: 2, outputSize: 16), ReLU(), Linear(inputSize: 16, outputSize: 16), Tanh(),
                               Linear(inputSize: 16, outputSize: 1), Sigmoid())
        }
        let reports = Reports()
        let monitor = reports.monitor(model)
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        let x = Tensor<Double>.uniform([64, 2], low: -1, high: 1, seed: 4)
        let y = withoutGradients { sigmoid(Variable(x)).value.sum(axis: 1, keepDims: true) / 2 }
        var total = 0.0
        for _ in 0..<30 {
            optimizer.zeroGrad()
            let loss = squaredError(model, x, y)
            monitor.backward(loss)
            optimizer.step()
            total += loss.scalar
        }
        #expect(monitor.warnings.isEmpty, "\(monitor.warnings)")
        #expect(reports.warnings.isEmpty)
        #expect(monitor.history.count == 30 && total > 0)
        #expect(monitor.history.last!.loss < monitor.history.first!.loss)
        // Every layer measured: norms, ratios (but the last), activations of the three kinds.
        #expect(monitor.history.allSatisfy { $0.gradientNorms.keys.sorted() == ["0", "2", "4"] })
        #expect(monitor.history.dropLast().allSatisfy { $0.updateRatios.keys.sorted() == ["0", "2", "4"] })
        #expect(monitor.history[0].deadFractions.keys.sorted() == ["0"])
        #expect(monitor.history[0].saturatedFractions.keys.sorted() == ["2", "4"])
        #expect(monitor.history[0].deadFractions["0"]! < 0.5)
    }

    @Test func deepSigmoidNetworkWithSmallWeightsHasVanishingGradients() {
        let model = deepNetwork(depth: 10, width: 8, deviation: 0.1, activation: { Sigmoid() }, seed: 10)
        let reports = Reports()
        let monitor = reports.monitor(model)
        let x = Tensor<Double>.uniform([16, 8], low: -1, high: 1, seed: 11), y = Tensor<Double>.ones([16, 1])
        for _ in 0..<3 {
            model.zeroGrad()
            monitor.backward(squaredError(model, x, y))
        }
        let vanishing = of(.vanishingGradients, monitor.warnings)
        #expect(vanishing.map(\.step) == [0, 1, 2])
        #expect(of(.vanishingGradients, reports.warnings).count == 1)        // reported once, kept three times
        let warning = vanishing[0], norms = monitor.history[0].gradientNorms
        #expect(warning.layer == "0" && warning.value == norms["0"] && warning.reference == norms["20"])
        #expect(warning.value / warning.reference! < 1e-6 && warning.threshold == 1e-4)
        #expect(warning.description.hasPrefix("vanishing gradients: layer '0' has gradient norm "
            + String(format: "%.1e", norms["0"]!) + ", " + String(format: "%.1e", norms["0"]! / norms["20"]!)
            + " of the last layer's ('20') " + String(format: "%.1e", norms["20"]!) + " at step 0 (threshold 1.0e-04)"))
        // The norms fall layer by layer from the output back.
        let ordered = monitor.layerGradientNorms(atStep: 0)
        #expect(ordered.count == 11 && ordered.first! < ordered.last!)
    }

    @Test func deepNetworkWithLargeWeightsHasExplodingGradients() {
        let model = deepNetwork(depth: 8, width: 16, deviation: 1, activation: { ReLU() }, seed: 20)
        let monitor = TrainingMonitor(model: model) { _ in }
        let x = Tensor<Double>.uniform([16, 16], low: -1, high: 1, seed: 21)
        monitor.backward(squaredError(model, x, .zeros([16, 1])))
        let norms = monitor.history[0].gradientNorms
        let exploding = of(.explodingGradients, monitor.warnings)
        #expect(exploding.count == 1)
        let largest = norms.max { $0.value < $1.value }!
        #expect(exploding[0].layer == largest.key && exploding[0].value == largest.value && largest.value > 1e3)
        #expect(exploding[0].reference == Double(norms.values.count { $0 > 1e3 }))
        #expect(exploding[0].description.contains("gradient norm \(String(format: "%.1e", largest.value)) at step 0 (threshold 1.0e+03)"))
        #expect(of(.vanishingGradients, monitor.warnings).isEmpty)
    }

    @Test func reluLayerWithLargeNegativeBiasHasDeadUnits() {
        let model = withRandomSeed(30) {
            Sequential<Double>(Linear(weight: .normal([16, 4], seed: 31), bias: Tensor(repeating: -100, shape: [16])), ReLU(),
                               Linear(inputSize: 16, outputSize: 1))
        }
        let reports = Reports()
        let monitor = reports.monitor(model)
        let x = Tensor<Double>.uniform([32, 4], low: -1, high: 1, seed: 32)
        for _ in 0..<9 {
            model.zeroGrad()
            monitor.backward(squaredError(model, x, .ones([32, 1])))
        }
        // Dead once silent for 256 examples: after 8 batches of 32, at step 7.
        #expect(monitor.history.map { $0.deadFractions["0"] } == [0, 0, 0, 0, 0, 0, 0, 1, 1])
        let dead = of(.deadUnits, monitor.warnings)
        #expect(dead.map(\.step) == [7, 8])
        #expect(dead[0].layer == "0" && dead[0].value == 1.0 && dead[0].reference == 16 && dead[0].threshold == 0.5)
        #expect(dead[0].description.hasPrefix("dead units: 100.0% of the 16 ReLU units of layer '0' have been 0 for each "
            + "of the last 256 examples or more at step 7 (threshold 50.0%)"))
        // No gradient passes a dead layer: the first layer's norm is 0.
        #expect(monitor.history[0].gradientNorms["0"] == 0)
        #expect(of(.deadUnits, reports.warnings) == [dead[0]])
    }

    @Test func aUnitThatFiresOnceIsAliveForAnother256Examples() {
        // Unit 0 computes relu(x), unit 1 relu(−x): x > 0 except for one example at step 3.
        let model = Sequential<Double>(Linear(weight: Tensor([[1.0], [-1.0]]), bias: .zeros([2])), ReLU(),
                                       Linear(weight: .ones([1, 2])))
        let monitor = TrainingMonitor(model: model) { _ in }
        for step in 0..<8 {
            var scalars = [Double](repeating: 1, count: 64)
            if step == 3 { scalars[10] = -1 }
            monitor.backward(squaredError(model, Tensor(shape: [64, 1], scalars: scalars), .zeros([64, 1])))
        }
        // Unit 1 is silent for 192 examples, fires, then is silent for 64, 128, 192, 256.
        #expect(monitor.history.map { $0.deadFractions["0"] } == [0, 0, 0, 0, 0, 0, 0, 0.5])
        #expect(of(.deadUnits, monitor.warnings).map(\.value) == [0.5])
    }

    @Test func activeUnitsAreFeaturesOrChannels() {
        // Units 0 and 2 are positive for some example, units 1 and 3 for none.
        let value = Tensor<Double>([[1, 0, 0, 0], [0, -1, 2, 0], [0, 0, 0, 0]])
        #expect(TrainingMonitor<Double>.activeUnits(in: value)! == (units: [true, false, true, false], examples: 3))
        #expect(TrainingMonitor<Double>.activeUnits(in: Tensor([1.0, 2])) == nil)
        // A 4-d feature map counts channels: of [2, 2, 2, 2], channel 0 is active, channel 1 is not.
        var scalars = [Double](repeating: 0, count: 16)
        scalars[3] = 5    // example 0, channel 0
        #expect(TrainingMonitor<Double>.activeUnits(in: Tensor(shape: [2, 2, 2, 2], scalars: scalars))!
            == (units: [true, false], examples: 8))
    }

    @Test func tanhWithHugeWeightsSaturates() {
        let weight = Tensor<Double>.normal([32, 4], standardDeviation: 100, seed: 40)
        let model = Sequential<Double>(Linear(weight: weight, bias: .zeros([32])), Tanh(), Linear(weight: .ones([1, 32]) / 32))
        let monitor = TrainingMonitor(model: model) { _ in }
        let x = Tensor<Double>.uniform([16, 4], low: -1, high: 1, seed: 41)
        monitor.backward(squaredError(model, x, .zeros([16, 1])))
        let hidden = withoutGradients { tanh(linear(Variable(x), weight: linearLayer(model).weight)).value.scalars }
        let expected = Double(hidden.count { abs($0) > 0.99 }) / Double(hidden.count)
        let saturated = of(.saturatedUnits, monitor.warnings)
        #expect(saturated.count == 1 && expected > 0.9)
        #expect(saturated[0].layer == "0" && saturated[0].value == expected && saturated[0].reference == 512)
        #expect(saturated[0].description.contains("of the 512 tanh outputs of layer '0' are beyond ±0.99 at step 0"))
    }

    @Test func sigmoidWithHugeWeightsSaturates() {
        let weight = Tensor<Double>.normal([8, 4], standardDeviation: 100, seed: 42)
        let model = Sequential<Double>(Linear(weight: weight, bias: .zeros([8])), Sigmoid(), Linear(weight: .ones([1, 8])))
        let monitor = TrainingMonitor(model: model) { _ in }
        let x = Tensor<Double>.uniform([16, 4], low: -1, high: 1, seed: 43)
        monitor.backward(squaredError(model, x, .zeros([16, 1])))
        let hidden = withoutGradients { sigmoid(linear(Variable(x), weight: linearLayer(model).weight)).value.scalars }
        let expected = Double(hidden.count { $0 < 0.01 || $0 > 0.99 }) / Double(hidden.count)
        let saturated = of(.saturatedUnits, monitor.warnings)
        #expect(saturated.count == 1 && saturated[0].value == expected && expected > 0.9)
        #expect(saturated[0].description.contains("sigmoid outputs of layer '0' are below 0.01 or above 0.99"))
    }

    @Test func summingLossesAsVariablesKeepsGraphsAlive() {
        let model = withRandomSeed(50) { Sequential<Double>(Linear(inputSize: 2, outputSize: 1)) }
        let reports = Reports()
        let monitor = reports.monitor(model)
        let x = Tensor<Double>.uniform([8, 2], low: -1, high: 1, seed: 51)
        var total = Variable(0.0)
        for _ in 0..<5 {
            model.zeroGrad()
            let loss = squaredError(model, x, .ones([8, 1]))
            monitor.backward(loss)
            total = total + loss        // the leak: each loss stays alive inside `total`
        }
        // At step k the losses of steps 0…k−2 are alive: one node each.
        #expect(monitor.history.map(\.outlivingNodeCount) == [0, 0, 1, 2, 3])
        let leaks = of(.graphOutlivesStep, monitor.warnings)
        #expect(leaks.map(\.step) == [2, 3, 4] && leaks.map(\.value) == [1, 2, 3] && leaks.map(\.reference) == [1, 2, 3])
        #expect(leaks[1].description.hasPrefix("graph outlives its step: 2 nodes recorded in 2 earlier steps are still alive at step 3"))
        #expect(of(.graphOutlivesStep, reports.warnings).count == 1)
        #expect(total.requiresGrad)

        // Summing numbers instead keeps nothing.
        let clean = TrainingMonitor(model: model) { _ in }
        var sum = 0.0
        for _ in 0..<5 {
            let loss = squaredError(model, x, .ones([8, 1]))
            clean.backward(loss)
            sum += loss.scalar
        }
        #expect(clean.warnings.isEmpty && sum > 0)
        #expect(clean.history.allSatisfy { $0.outlivingNodeCount == 0 })
    }

    @Test func hugeLearningRateDiverges() throws {
        let x = Tensor<Double>.uniform([64, 3], low: -1, high: 1, seed: 60)
        let y = matmul(x, Tensor([[1.5], [-2], [0.5]]))
        func train(learningRate: Double) -> TrainingMonitor<Double> {
            let model = withRandomSeed(61) { Sequential<Double>(Linear(inputSize: 3, outputSize: 1)) }
            let monitor = TrainingMonitor(model: model) { _ in }
            let optimizer = SGD(parameters: model.parameters(), learningRate: learningRate)
            for _ in 0..<12 {
                optimizer.zeroGrad()
                monitor.backward(squaredError(model, x, y))
                optimizer.step()
            }
            return monitor
        }
        let diverged = train(learningRate: 3)
        let warnings = of(.divergingLoss, diverged.warnings)
        let first = try #require(warnings.first)
        // Compared from the sixth step on (after 5 of warm-up), against the lowest smoothed loss before it.
        #expect(first.step >= 5 && first.value > 4 * first.reference! && first.threshold == 4)
        var average = 0.0, lowest = Double.infinity
        for (n, loss) in diverged.losses.prefix(first.step + 1).enumerated() {
            average = 0.9 * average + 0.1 * loss
            let smoothed = average / (1 - pow(0.9, Double(n + 1)))
            if n == first.step {
                expectClose(first.value, smoothed, tolerance: 1e-9 * smoothed)
                expectClose(first.reference!, lowest, tolerance: 1e-12 * lowest)
            }
            lowest = min(lowest, smoothed)
        }
        #expect(first.value > diverged.losses[0])
        #expect(first.description.contains("times its lowest") && first.description.contains("and above its first")
                && first.description.contains("(threshold 4)"))
        #expect(train(learningRate: 0.1).warnings.isEmpty)
    }

    @Test func nanInputGivesNonFiniteGradientsAndLoss() {
        let model = withRandomSeed(70) { Sequential<Double>(Linear(inputSize: 3, outputSize: 1)) }
        let reports = Reports()
        let monitor = reports.monitor(model)
        var scalars = Tensor<Double>.uniform([8, 3], low: -1, high: 1, seed: 71).scalars
        scalars[0] = .nan
        monitor.backward(squaredError(model, Tensor(shape: [8, 3], scalars: scalars), .ones([8, 1])))
        let nonFinite = of(.nonFiniteGradients, monitor.warnings)
        // Row 0's error is NaN, and it enters every element of the weight's and the bias's gradients.
        #expect(nonFinite.count == 1 && nonFinite[0].layer == "0" && nonFinite[0].value == 4 && nonFinite[0].reference == 1)
        #expect(nonFinite[0].description.hasPrefix("non-finite gradients: layer '0' has 4 NaN or infinite gradient elements at step 0"))
        let diverging = of(.divergingLoss, monitor.warnings)
        #expect(diverging.count == 1 && diverging[0].value.isNaN && diverging[0].description.contains("the loss is nan at step 0"))
        #expect(reports.warnings.count == 2)
    }

    @Test func logOfANegativeNumberGivesNonFiniteGradients() {
        let model = Parameters(w: Variable(Tensor([-1.0, 2.0]), requiresGrad: true), v: Variable(Tensor([1.0]), requiresGrad: true))
        let monitor = TrainingMonitor(model: model) { _ in }
        // log(−1) is NaN; its gradient 1/w is finite, but the loss is NaN, and so is ∂/∂v through the product.
        monitor.backward((log(model.w).sum() * model.v).sum())
        let nonFinite = of(.nonFiniteGradients, monitor.warnings)
        #expect(nonFinite.count == 1 && nonFinite[0].layer == "v" && nonFinite[0].value == 1)
        #expect(of(.divergingLoss, monitor.warnings).count == 1)
    }

    @Test func hooksAreRemovedWithTheMonitor() {
        let model = withRandomSeed(90) { Sequential<Double>(Linear(inputSize: 2, outputSize: 1)) }
        var monitor: TrainingMonitor<Double>? = TrainingMonitor(model: model) { _ in }
        weak let weakMonitor = monitor
        monitor = nil
        #expect(weakMonitor == nil)
        // The parameters still train without it.
        squaredError(model, .ones([1, 2]), .zeros([1, 1])).backward()
        #expect(linearLayer(model).weight.grad != nil)
    }

    @Test func documentationExample() throws {
        var printed: [String] = []
        func print(_ text: Any) { printed.append("\(text)") }
        // doc: Docs/Training.md
        // Ten sigmoid layers of PyTorch's default initialisation: the first layer's gradient vanishes.
        let model = withRandomSeed(1) {
            Sequential<Float>(layers: (0..<10).flatMap { i -> [any Layer<Float>] in
                [Linear(inputSize: i == 0 ? 2 : 16, outputSize: 16), Sigmoid()]
            } + [Linear(inputSize: 16, outputSize: 1)])
        }
        let monitor = TrainingMonitor(model: model)     // prints each kind of warning the first time
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01, momentum: 0.9)
        let x = Tensor<Float>.uniform([64, 2], low: -1, high: 1, seed: 2)
        let y = x.sum(axis: 1, keepDims: true)
        for _ in 0..<20 {
            optimizer.zeroGrad()
            let loss = meanSquaredError(predicted: model(Variable(x)), expected: Variable(y))
            monitor.backward(loss)                      // instead of loss.backward()
            optimizer.step()
        }
        // warning: vanishing gradients: layer '0' has gradient norm 3.1e-09, 2.4e-09 of the last layer's ('20') 1.3e+00 …
        print(monitor.warnings.count)                   // 20: one a step, printed once
        print(monitor.history[0].gradientNorms["20"]!)  // 1.297…: the last layer's norm at the first step
        print(monitor.history[0].updateRatios["20"]!)   // 0.021…: ‖Δw‖ / ‖w‖ of the first step
        // The norm of each layer against its depth, one line per step: the first and the last.
        var chart = Chart(title: "Gradient norm by layer", xLabel: "layer (0 = first)", yLabel: "gradient norm",
                          logarithmicY: true)
        for step in [0, monitor.history.count - 1] {
            chart.addLine("step \(step)", x: monitor.layers.indices.map(Double.init), y: monitor.layerGradientNorms(atStep: step))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gradient-norms.svg").path
        try chart.write(to: path)
        // end doc
        #expect(printed.count == 3 && printed[0] == "20")
        #expect(printed[1].hasPrefix("1.297") && printed[2].hasPrefix("0.021"))
        #expect(monitor.warnings.count == 20 && monitor.warnings.allSatisfy { $0.kind == .vanishingGradients })
        #expect(monitor.warnings[0].description.hasPrefix("vanishing gradients: layer '0' has gradient norm 3.1e-09, "
            + "2.4e-09 of the last layer's ('20') 1.3e+00 at step 0"))
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg == chart.svg() && svg.contains(">Gradient norm by layer</text>"))
        #expect(svg.contains(">step 0</text>") && svg.contains(">step 19</text>"))
        try FileManager.default.removeItem(atPath: path)
    }
}
