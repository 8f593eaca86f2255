import Backprop
import BackpropNN

/// What training one deep network recorded.
public struct DeepRun: Sendable {
    /// The network trained.
    public var network: DeepNetwork
    /// The gradient norm of each linear layer, first to last, at the first step (at initialisation).
    public var initialNorms: [Double]
    /// The gradient norm of each linear layer, first to last, averaged over the last epoch's steps.
    public var finalNorms: [Double]
    /// The sample-weighted mean training loss of each epoch.
    public var epochLosses: [Double]
    /// The training accuracy after each epoch.
    public var accuracies: [Double]
    /// What the monitor warned of, every occurrence.
    public var warnings: [TrainingWarning]
}

/// Trains a deep network of one kind on `data` (integer labels) with cross-entropy and SGD with
/// momentum 0.9 in shuffled mini-batches, watched by a ``TrainingMonitor``.
///
/// SGD rather than Adam: Adam divides each gradient by its own running size, which hides
/// how small the first layers' gradients are until they fall below its ε.
///
/// - Parameters:
///   - depth: the number of linear layers.
///   - width: the units of each hidden layer.
///   - seed: seeds the initialisation and, plus one, the shuffling.
///   - report: receives each warning the monitor reports (once per kind, or per layer for units).
public func trainDeepNetwork(
    _ network: DeepNetwork, on data: TensorDataset<Float>, classCount: Int, depth: Int, width: Int, epochs: Int,
    batchSize: Int, learningRate: Double, seed: UInt64, report: @escaping (TrainingWarning) -> Void = { _ in }
) -> DeepRun {
    let model = network.makeModel(depth: depth, width: width, inputSize: data.inputs.shape[1], outputSize: classCount,
                                  seed: seed)
    let monitor = TrainingMonitor(model: model, report: report)
    let optimizer = SGD(parameters: model.parameters(), learningRate: Float(learningRate), momentum: 0.9)
    let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed &+ 1)
    let labels = data.targets.scalars.map { Int($0) }
    var losses: [Double] = [], accuracies: [Double] = []
    for _ in 0..<epochs {
        var total = 0.0
        for batch in loader {
            optimizer.zeroGrad()
            let loss = crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
            monitor.backward(loss)
            optimizer.step()
            total += Double(loss.scalar) * Double(batch.inputs.shape[0])
        }
        losses.append(total / Double(data.count))
        accuracies.append(accuracy(predicted: predictedClasses(model, data.inputs), labels: labels))
    }
    let names = model.linearLayerNames()
    let lastEpoch = monitor.history.suffix(loader.batchCount)
    let finalNorms = names.map { name in
        lastEpoch.reduce(0) { $0 + ($1.gradientNorms[name] ?? 0) } / Double(lastEpoch.count)
    }
    return DeepRun(network: network, initialNorms: names.map { monitor.history[0].gradientNorms[$0] ?? .nan },
                   finalNorms: finalNorms, epochLosses: losses, accuracies: accuracies, warnings: monitor.warnings)
}

/// What training the large-initialisation network recorded, step by step.
public struct ExplodingRun: Sendable {
    /// The largest gradient norm allowed, or nil for no clipping.
    public var maxNorm: Double?
    /// Each step's loss; the run stops after the first that is not finite.
    public var losses: [Double]
    /// Each step's joint gradient norm over all parameters, before clipping.
    public var gradientNorms: [Double]
    /// What the monitor warned of, every occurrence.
    public var warnings: [TrainingWarning]

    /// Whether the loss became NaN or infinite.
    public var diverged: Bool { losses.contains { !$0.isFinite } }
}

/// Trains ``makeLargeInitNetwork(depth:width:inputSize:outputSize:scale:seed:)`` for `steps` steps of
/// SGD with momentum 0.9 and cross-entropy, clipping the joint gradient norm to `maxNorm` if it is given.
///
/// - Parameters:
///   - scale: the factor over Kaiming's standard deviation of the initial weights.
///   - seed: seeds the initialisation and, plus one, the shuffling; the same for a clipped and
///     an unclipped run, so that they start from the same weights and see the same batches.
public func trainLargeInitNetwork(
    on data: TensorDataset<Float>, classCount: Int, depth: Int, width: Int, scale: Float, steps: Int, batchSize: Int,
    learningRate: Double, maxNorm: Double?, seed: UInt64, report: @escaping (TrainingWarning) -> Void = { _ in }
) -> ExplodingRun {
    let model = makeLargeInitNetwork(depth: depth, width: width, inputSize: data.inputs.shape[1], outputSize: classCount,
                                     scale: scale, seed: seed)
    let monitor = TrainingMonitor(model: model, report: report)
    let optimizer = SGD(parameters: model.parameters(), learningRate: Float(learningRate), momentum: 0.9)
    let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed &+ 1)
    var losses: [Double] = [], norms: [Double] = []
    var batches = loader.makeIterator()
    while losses.count < steps {
        guard let batch = batches.next() else {
            batches = loader.makeIterator()
            continue
        }
        optimizer.zeroGrad()
        let loss = crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
        monitor.backward(loss)
        // The joint norm from the monitor's per-layer norms, summed in Double (Float's would overflow),
        // in the layers' order (a dictionary's order varies from one instance to the next).
        let layerNorms = monitor.layers.compactMap { monitor.history.last!.gradientNorms[$0] }
        norms.append(layerNorms.reduce(0) { $0 + $1 * $1 }.squareRoot())
        if let maxNorm { clipGradientNorm(model.parameters(), maxNorm: Float(maxNorm)) }
        losses.append(Double(loss.scalar))
        guard loss.scalar.isFinite else { break }
        optimizer.step()
    }
    return ExplodingRun(maxNorm: maxNorm, losses: losses, gradientNorms: norms, warnings: monitor.warnings)
}
