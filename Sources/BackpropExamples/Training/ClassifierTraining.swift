import Backprop
import BackpropNN

/// One epoch of training a classifier: its mean loss over the examples, and the
/// accuracy on the training data at the epoch's end.
public struct EpochResult: Sendable {
    /// The sample-weighted mean of the epoch's batch losses.
    public var loss: Double
    /// The fraction of training examples classified correctly after the epoch.
    public var accuracy: Double
}

/// Trains a classifier that outputs logits `[n, classes]` with Adam and cross-entropy,
/// in shuffled mini-batches.
///
/// - Parameters:
///   - model: the classifier, trained in place.
///   - data: inputs with integer labels as targets.
///   - seed: seeds the shuffling.
///   - progress: shown after each batch and epoch, with the accuracy as its metric.
/// - Returns: one result per epoch.
public func trainClassifier(
    _ model: Sequential<Float>, on data: TensorDataset<Float>, epochs: Int, batchSize: Int,
    learningRate: Double, seed: UInt64, progress: ProgressBar? = nil
) -> [EpochResult] {
    let optimizer = Adam(parameters: model.parameters(), learningRate: Float(learningRate))
    let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed)
    let labels = data.targets.scalars.map { Int($0) }
    var history: [EpochResult] = []
    for epoch in 1...epochs {
        var total = 0.0, seen = 0
        for (index, batch) in loader.enumerated() {
            optimizer.zeroGrad()
            let loss = crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
            loss.backward()
            optimizer.step()
            let size = batch.inputs.shape[0]
            total += Double(loss.scalar) * Double(size)
            seen += size
            progress?.update(epoch: epoch, batch: index + 1, loss: total / Double(seen), samples: size)
        }
        let trainingAccuracy = accuracy(predicted: predictedClasses(model, data.inputs), labels: labels)
        let result = EpochResult(loss: total / Double(seen), accuracy: trainingAccuracy)
        history.append(result)
        progress?.finishEpoch(epoch: epoch, loss: result.loss, metric: result.accuracy)
    }
    return history
}

/// The most likely class of each row of `inputs` under a classifier that outputs logits.
public func predictedClasses(_ model: Sequential<Float>, _ inputs: Tensor<Float>) -> [Int] {
    withoutGradients { model(Variable(inputs)).value.argmax(axis: 1) }
}
