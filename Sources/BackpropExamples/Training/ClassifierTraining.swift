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
///   - showsProgress: whether to show a progress bar, with the accuracy as its metric.
/// - Returns: one result per epoch.
public func trainClassifier(
    _ model: Sequential<Float>, on data: TensorDataset<Float>, epochs: Int, batchSize: Int,
    learningRate: Double, seed: UInt64, showsProgress: Bool = false
) -> [EpochResult] {
    let labels = data.targets.scalars.map { Int($0) }
    var history: [EpochResult] = []
    trainWithAdam(model, on: data, epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed,
                  showsProgress: showsProgress, metricName: "accuracy",
                  loss: { crossEntropy(logits: $0, labels: $1.value.scalars.map { Int($0) }) }) { loss in
        let result = EpochResult(loss: loss, accuracy: accuracy(predicted: predictedClasses(model, data.inputs), labels: labels))
        history.append(result)
        return (result.loss, result.accuracy)
    }
    return history
}

/// The most likely class of each row of `inputs` under a classifier that outputs logits.
public func predictedClasses(_ model: Sequential<Float>, _ inputs: Tensor<Float>) -> [Int] {
    withoutGradients { model(Variable(inputs)).value.argmax(axis: 1).scalars }
}
