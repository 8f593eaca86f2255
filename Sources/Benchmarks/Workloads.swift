import Backprop
import BackpropNN

// The workloads of ../shared/bench/peers/README.md ("Workloads"), built from
// Backprop's public API exactly as a user would write them. Each training workload also
// runs compiled (`-compiled`): its loss is a `compile`d function of the batch, which takes
// class targets one-hot (the same bits as labels in cross-entropy).

/// One training step of a model on a fixed batch, with plain SGD (`SGD` without momentum:
/// θ ← θ − γ·g, in place).
struct TrainingStep {
    let optimizer: SGD<Float>
    let loss: () -> Variable<Float>

    init(parameters: [Variable<Float>], learningRate: Float, loss: @escaping () -> Variable<Float>) {
        optimizer = SGD(parameters: parameters, learningRate: learningRate)
        self.loss = loss
    }

    /// Clears the gradients, runs forward, loss and backward, updates; returns the loss.
    @discardableResult
    func callAsFunction() -> Float {
        optimizer.zeroGrad()
        let value = loss()
        value.backward()
        optimizer.step()
        return value.scalar
    }
}

/// A Linear layer initialised as the README says: weight and bias uniform on ±1/√in from two seeds.
func benchLinear(_ input: Int, _ output: Int, seeds: (UInt64, UInt64)) -> Linear<Float> {
    let bound = initBound(input)
    return Linear(weight: benchUniform(seeds.0, [output, input], -bound, bound),
                  bias: benchUniform(seeds.1, [output], -bound, bound))
}

/// A classifier's training step on a batch `x` with `labels`: eager, or compiled with one-hot targets.
func classifierStep(_ model: Sequential<Float>, x: Tensor<Float>, labels: [Int], learningRate: Float,
                    compiled: Bool) -> TrainingStep {
    guard compiled else {
        let input = Variable(x)
        return TrainingStep(parameters: model.parameters(), learningRate: learningRate) {
            crossEntropy(logits: model(input), labels: labels)
        }
    }
    let classes = model(Variable(x.slicing(0..<1, axis: 0))).shape[1]
    let targets = Tensor<Float>(shape: [labels.count, classes],
                                scalars: labels.flatMap { label in (0..<classes).map { $0 == label ? 1 : 0 } })
    let loss = compile { x, targets in crossEntropy(logits: model(x), targets: targets) }
    return TrainingStep(parameters: model.parameters(), learningRate: learningRate) { loss(x, targets) }
}

/// mlp-train: Linear 784→256, ReLU, Linear 256→256, ReLU, Linear 256→10; cross-entropy; SGD 0.01.
func mlpTrainStep(compiled: Bool = false) -> TrainingStep {
    let model = Sequential<Float>(benchLinear(784, 256, seeds: (11, 12)), ReLU(), benchLinear(256, 256, seeds: (13, 14)), ReLU(),
                                  benchLinear(256, 10, seeds: (15, 16)))
    return classifierStep(model, x: benchUniform(1, [64, 784], 0, 1), labels: benchLabels(2, 64, 10), learningRate: 0.01,
                          compiled: compiled)
}

/// small-mlp-train: Linear 2→16, tanh, Linear 16→16, tanh, Linear 16→1; MSE against x₀·x₁; SGD 0.05.
func smallMLPTrainStep(compiled: Bool = false) -> TrainingStep {
    let model = Sequential<Float>(benchLinear(2, 16, seeds: (11, 12)), Tanh(), benchLinear(16, 16, seeds: (13, 14)), Tanh(),
                                  benchLinear(16, 1, seeds: (15, 16)))
    let inputs = benchUniform(1, [32, 2], -1, 1)
    let targets = Tensor(shape: [32, 1], scalars: (0..<32).map { inputs[$0, 0] * inputs[$0, 1] })
    if compiled {
        let loss = compile { x, t in meanSquaredError(predicted: model(x), expected: t) }
        return TrainingStep(parameters: model.parameters(), learningRate: 0.05) { loss(inputs, targets) }
    }
    let x = Variable(inputs), t = Variable(targets)
    return TrainingStep(parameters: model.parameters(), learningRate: 0.05) { meanSquaredError(predicted: model(x), expected: t) }
}

/// conv-train: Conv 1→16 3×3 pad 1, ReLU, max-pool 2, Conv 16→32 3×3 pad 1, ReLU, max-pool 2, flatten, Linear 1568→10.
func convTrainStep(compiled: Bool = false) -> TrainingStep {
    func conv(_ input: Int, _ output: Int, seeds: (UInt64, UInt64)) -> Conv2d<Float> {
        let layer = Conv2d<Float>(inputChannels: input, outputChannels: output, kernelSize: 3, padding: 1)
        let bound = initBound(input * 9)
        layer.weight.value = benchUniform(seeds.0, [output, input, 3, 3], -bound, bound)
        layer.bias!.value = benchUniform(seeds.1, [output], -bound, bound)
        return layer
    }
    let model = Sequential<Float>(conv(1, 16, seeds: (11, 12)), ReLU(), MaxPool2d(kernelSize: 2), conv(16, 32, seeds: (13, 14)), ReLU(),
                                  MaxPool2d(kernelSize: 2), Flatten(), benchLinear(1568, 10, seeds: (15, 16)))
    return classifierStep(model, x: benchUniform(1, [32, 1, 28, 28], 0, 1), labels: benchLabels(2, 32, 10),
                          learningRate: 0.01, compiled: compiled)
}

/// The training step of a training workload, by name, eager or `-compiled`.
func trainingStep(_ workload: String) -> TrainingStep {
    let compiled = workload.hasSuffix("-compiled")
    switch workload.replacingOccurrences(of: "-compiled", with: "") {
    case "mlp-train": return mlpTrainStep(compiled: compiled)
    case "conv-train": return convTrainStep(compiled: compiled)
    default: return smallMLPTrainStep(compiled: compiled)
    }
}

/// scalar-chain: x = tanh(x·w + b), 2,500 times from x₀ = 0.5, then backward to x₀, w and b.
/// Compiled, the chain is traced on the first calls and replayed on the leaves' current values.
struct ScalarChain {
    let x0: Variable<Float>, w: Variable<Float>, b: Variable<Float>
    let compiled: CompiledFunction<Float>?

    init(compiled: Bool = false) {
        let (x0, w, b) = (Variable<Float>(0.5, requiresGrad: true), Variable<Float>(0.9, requiresGrad: true),
                          Variable<Float>(0.1, requiresGrad: true))
        (self.x0, self.w, self.b) = (x0, w, b)
        self.compiled = compiled ? CompiledFunction(inputCount: 0) { _ in (Self.chain(x0, w, b), []) } : nil
    }

    static func chain(_ x0: Variable<Float>, _ w: Variable<Float>, _ b: Variable<Float>) -> Variable<Float> {
        var x = x0
        for _ in 0..<2500 { x = tanh(x * w + b) }
        return x
    }

    @discardableResult
    func callAsFunction() -> Float {
        for leaf in [x0, w, b] { leaf.zeroGrad() }
        let x = compiled?([]) ?? Self.chain(x0, w, b)
        x.backward()
        return x.scalar
    }
}

/// gemm-N: C = A·B for uniform A (seed 1) and B (seed 2).
func gemmOperands(_ n: Int) -> (Tensor<Float>, Tensor<Float>) {
    (benchUniform(1, [n, n], -1, 1), benchUniform(2, [n, n], -1, 1))
}
