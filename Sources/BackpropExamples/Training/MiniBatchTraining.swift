import Backprop
import BackpropNN
import BackpropPlot

/// Trains `model` on `data` with Adam in shuffled mini-batches, minimising `loss` of the
/// model's output and the batch's targets: the loop that xor, regression, spirals and custom-op share.
///
/// - Parameters:
///   - seed: seeds the shuffling.
///   - compiled: whether each step's loss runs through `compile` (the same bits, traced on the
///     first batches of each shape and replayed afterwards); `loss` must then be written in ops.
///   - showsProgress: whether to show a ``ProgressBar`` with the epoch's running mean loss.
///   - metricName: what the progress bar calls the metric that `endEpoch` returns.
///   - endEpoch: called after each epoch with the sample-weighted mean of its batch losses;
///     returns the loss and the metric to show for the epoch.
func trainWithAdam(
    _ model: Sequential<Float>, on data: TensorDataset<Float>, epochs: Int, batchSize: Int, learningRate: Double,
    seed: UInt64, showsProgress: Bool, compiled: Bool = false, metricName: String? = nil,
    loss: @escaping (_ output: Variable<Float>, _ targets: Variable<Float>) -> Variable<Float>,
    endEpoch: (_ meanLoss: Double) -> (loss: Double, metric: Double?)
) {
    let optimizer = Adam(parameters: model.parameters(), learningRate: Float(learningRate))
    let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed)
    let progress = showsProgress ? ProgressBar(epochs: epochs, batchesPerEpoch: loader.batchCount, metricName: metricName) : nil
    let compiledLoss = compiled ? compile { inputs, targets in loss(model(inputs), targets) } : nil
    for epoch in 1...epochs {
        var total = 0.0, seen = 0
        for (index, batch) in loader.enumerated() {
            optimizer.zeroGrad()
            let batchLoss = compiledLoss?(batch.inputs, batch.targets)
                ?? loss(model(Variable(batch.inputs)), Variable(batch.targets))
            batchLoss.backward()
            optimizer.step()
            let (size, value) = (batch.inputs.shape[0], Double(batchLoss.scalar))
            total += value * Double(size)
            seen += size
            // The bar keeps the epoch's running mean itself, weighted by `samples`.
            progress?.update(epoch: epoch, batch: index + 1, loss: value, samples: size)
        }
        let shown = endEpoch(total / Double(seen))
        progress?.finishEpoch(epoch: epoch, loss: shown.loss, metric: shown.metric)
    }
}
