import Backprop
import BackpropNN

/// The mean cross-entropy, in nats per character, over a batch's scored targets (those not `-1`).
///
/// The logits of every position are flattened to `[B·T, V]`, the rows with a target are
/// gathered, and `crossEntropy` averages over them, so padding adds nothing to the loss
/// or the gradient.
public func characterLoss<M: CharacterModel>(_ model: M, on batch: Batch<Float>, reduction: Reduction = .mean) -> Variable<Float> {
    let logits = model(batch.tokenRows)
    let targets = batch.labels
    let scored = targets.indices.filter { targets[$0] >= 0 }
    return crossEntropy(logits: logits.reshaped([-1, logits.shape[2]]).gathering(indices: scored, axis: 0),
                        labels: scored.map { targets[$0] }, reduction: reduction)
}

/// The mean loss per scored character over a whole dataset, in nats, computed without gradients.
public func evaluationLoss<M: CharacterModel>(_ model: M, on dataset: some Dataset<Float>, batchSize: Int = 500) -> Double {
    withoutGradients {
        var (total, characters) = (0.0, 0)
        for start in stride(from: 0, to: dataset.count, by: batchSize) {
            let batch = dataset.batch(at: Array(start..<min(start + batchSize, dataset.count)))
            total += Double(characterLoss(model, on: batch, reduction: .sum).scalar)
            characters += batch.labels.filter { $0 >= 0 }.count
        }
        return total / Double(max(characters, 1))
    }
}
