import Foundation
import Testing
@_spi(Testing) import Backprop
import BackpropNN

/// Compiled training steps give the bits of eager ones: the same losses, gradients and
/// parameters after every step, on the training workloads' models.
@Suite struct CompiledTraining {
    /// Trains two copies of a model, one eagerly and one through `compile`, for `steps` steps on
    /// `batches` (cycled), and expects identical losses and parameters after every step.
    func expectIdenticalTraining<M: Layer<Float>>(
        steps: Int, makeModel: () -> M, batches: [(Tensor<Float>, Tensor<Float>)],
        loss: @escaping (M, Variable<Float>, Variable<Float>) -> Variable<Float>
    ) {
        let eager = withRandomSeed(7, makeModel), compiled = withRandomSeed(7, makeModel)
        let eagerOptimizer = SGD(parameters: eager.parameters(), learningRate: 0.05)
        let compiledOptimizer = SGD(parameters: compiled.parameters(), learningRate: 0.05)
        let step = compile { x, y in loss(compiled, x, y) }
        for i in 0..<steps {
            let (x, y) = batches[i % batches.count]
            eagerOptimizer.zeroGrad()
            let eagerLoss = loss(eager, Variable(x), Variable(y))
            eagerLoss.backward()
            compiledOptimizer.zeroGrad()
            let compiledLoss = step(x, y)
            compiledLoss.backward()
            #expect(eagerLoss.value == compiledLoss.value, "loss of step \(i)")
            for (a, b) in zip(eager.parameters(), compiled.parameters()) {
                #expect(a.grad == b.grad, "gradient at step \(i)")
            }
            eagerOptimizer.step()
            compiledOptimizer.step()
        }
        for (a, b) in zip(eager.parameters(), compiled.parameters()) { #expect(a.value == b.value) }
        // Buffers too: batch normalisation's running statistics, updated at every call.
        #expect(eager.stateDictionary() == compiled.stateDictionary())
        #expect(step.tracingCallCount == 2)
        #expect(step.replayCount == steps - 2)
    }

    /// One-hot targets `[N, classes]` for `labels`.
    static func oneHot(_ labels: [Int], classes: Int) -> Tensor<Float> {
        Tensor(shape: [labels.count, classes], scalars: labels.flatMap { label in (0..<classes).map { $0 == label ? 1 : 0 } })
    }

    static func labels(_ count: Int, classes: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Int.random(in: 0..<classes, using: &generator) }
    }

    /// Linear layers of `sizes`, with `activation` between them.
    static func perceptron(_ sizes: [Int], _ activation: () -> any Layer<Float>) -> Sequential<Float> {
        var layers: [any Layer<Float>] = []
        for (i, (input, output)) in zip(sizes, sizes.dropFirst()).enumerated() {
            if i > 0 { layers.append(activation()) }
            layers.append(Linear(inputSize: input, outputSize: output))
        }
        return Sequential(layers: layers)
    }

    static func uniform(_ shape: [Int], seed: UInt64) -> Tensor<Float> {
        var generator = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, using: &generator)
    }

    @Test func smallTanhNetworkWithMeanSquaredError() {
        let batches = (0..<3).map { i in
            let x = Self.uniform([32, 2], seed: UInt64(i))
            return (x, Tensor(shape: [32, 1], scalars: (0..<32).map { x[$0, 0] * x[$0, 1] }))
        }
        expectIdenticalTraining(steps: 8, makeModel: { Self.perceptron([2, 16, 16, 1], Tanh.init) }, batches: batches) {
            model, x, y in meanSquaredError(predicted: model(x), expected: y)
        }
    }

    /// mlp-train's network, with softmax cross-entropy on one-hot targets, at one and two threads.
    @Test(arguments: [1, 2]) func reluNetworkWithCrossEntropy(threads: Int) {
        let batches = (0..<2).map { i in
            (Self.uniform([16, 20], seed: UInt64(i)), Self.oneHot(Self.labels(16, classes: 10, seed: UInt64(i)), classes: 10))
        }
        withThreadCount(threads) {
            expectIdenticalTraining(steps: 6, makeModel: { Self.perceptron([20, 32, 32, 10], ReLU.init) }, batches: batches) {
                model, x, y in crossEntropy(logits: model(x), targets: y)
            }
        }
    }

    /// conv-train's network, at one and two threads.
    @Test(arguments: [1, 2]) func convolutionalNetwork(threads: Int) {
        let batches = (0..<2).map { i in
            (Self.uniform([4, 1, 12, 12], seed: UInt64(i)), Self.oneHot(Self.labels(4, classes: 10, seed: UInt64(i)), classes: 10))
        }
        withThreadCount(threads) {
            expectIdenticalTraining(steps: 5, makeModel: {
                Sequential<Float>(Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                                  Conv2d(inputChannels: 4, outputChannels: 8, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                                  Flatten(), Linear(inputSize: 72, outputSize: 10))
            }, batches: batches) { model, x, y in crossEntropy(logits: model(x), targets: y) }
        }
    }

    /// Dropout draws a new mask at every call, compiled as eagerly; batch normalisation's running
    /// statistics follow every call; GELU, layer normalisation and Adam-free SGD as the rest.
    @Test func dropoutAndBatchNormalization() {
        let batches = (0..<3).map { i in (Self.uniform([8, 6], seed: UInt64(i)), Self.uniform([8, 3], seed: UInt64(10 + i))) }
        func makeModel() -> Sequential<Float> {
            Sequential<Float>(Linear(inputSize: 6, outputSize: 12), BatchNorm1d(featureCount: 12), GELU(), Dropout(probability: 0.3),
                              Linear(inputSize: 12, outputSize: 12), LayerNorm(shape: [12]), Tanh(), Linear(inputSize: 12, outputSize: 3))
        }
        expectIdenticalTraining(steps: 7, makeModel: makeModel, batches: batches) { model, x, y in
            meanSquaredError(predicted: model(x), expected: y)
        }
        // The masks differ from call to call: two replays of one batch give two losses.
        let model = withRandomSeed(3, makeModel)
        let step = compile { x, y in meanSquaredError(predicted: model(x), expected: y) }
        let losses = (0..<5).map { _ in withoutGradients { step(batches[0].0, batches[0].1).scalar } }
        #expect(Set(losses).count == 5)
    }

    /// Labels and one-hot targets give the same bits in cross-entropy, forward and backward: a
    /// compiled step may take the batch's targets one-hot, as a tensor input, and match an eager
    /// step on labels.
    @Test func oneHotTargetsMatchLabels() {
        let logits = Variable(Self.uniform([16, 10], seed: 5) * 4, requiresGrad: true)
        let labels = Self.labels(16, classes: 10, seed: 6)
        let byLabels = crossEntropy(logits: logits, labels: labels)
        byLabels.backward()
        let gradient = logits.grad!
        logits.zeroGrad()
        let byTargets = crossEntropy(logits: logits, targets: Variable(Self.oneHot(labels, classes: 10)))
        byTargets.backward()
        #expect(byLabels.value == byTargets.value)
        #expect(gradient == logits.grad!)
    }
}
