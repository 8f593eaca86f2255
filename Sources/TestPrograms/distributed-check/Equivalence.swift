import Backprop
import BackpropDistributed
import BackpropNN
import Foundation

/// A regression problem: 6 inputs, 3 targets, the same on every rank.
func regressionData(examples: Int) -> TensorDataset<Float> {
    var generator = SeededGenerator(seed: 2026)
    let inputs = Tensor<Float>.normal([examples, 6], using: &generator)
    let weights = Tensor<Float>.normal([6, 3], using: &generator)
    let targets = matmul(inputs, weights).scalars.map { Float.sin($0) }
    return TensorDataset(inputs: inputs, targets: Tensor(shape: [examples, 3], scalars: targets))
}

func regressionModel(seed: UInt64) -> Sequential<Float> {
    withRandomSeed(seed) { Sequential(Linear(inputSize: 6, outputSize: 16), Tanh(), Linear(inputSize: 16, outputSize: 3)) }
}

/// `steps` SGD steps on P ranks with batch `batchSize` each, against (on rank 0) the same steps in one
/// process with batch P·`batchSize`. Prints the bucket count, the bytes per step, whether the ranks'
/// parameters agree bit for bit, and on rank 0 the largest difference from the one-process run.
func checkEquivalence(_ group: ProcessGroup, steps: Int, batchSize: Int, examples: Int, bucketBytes: Int, weighted: Bool) throws {
    let data = regressionData(examples: examples)
    func train(_ model: Sequential<Float>, _ optimizer: SGD<Float>, loader: DataLoader<TensorDataset<Float>>,
               step: (Batch<Float>) throws -> Void) rethrows {
        var done = 0
        while done < steps {
            for batch in loader where done < steps {
                optimizer.zeroGrad()
                meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets)).backward()
                try step(batch)
                done += 1
            }
        }
    }
    // Rank 0 starts from the reference's weights; the others from their own, which the broadcast replaces.
    let model = regressionModel(seed: 11 + UInt64(group.rank))
    let optimizer = SGD(parameters: model.parameters(), learningRate: 0.05, momentum: 0.9)
    let parallel = try DistributedDataParallel(model, optimizer: optimizer, group: group, bucketCapacity: bucketBytes)
    let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: 5, shard: group.shard)
    try train(model, optimizer, loader: loader) { batch in try parallel.step(samples: weighted ? batch.inputs.shape[0] : nil) }
    let statistics = parallel.communication
    print("rank \(group.rank): \(parallel.bucketCount) buckets, \(statistics.bytes / statistics.steps) bytes per step, "
          + "\(statistics.allReduceCount) all-reduces in \(statistics.steps) steps")

    // Equal everywhere: the largest and the smallest of each element over the ranks are this rank's.
    let mine = model.parameters().flatMap { $0.value.scalars }
    var (largest, smallest) = (mine, mine)
    try group.allReduce(&largest, .max)
    try group.allReduce(&smallest, .min)
    print("rank \(group.rank): the ranks' parameters are \(largest == mine && smallest == mine ? "identical" : "different")")

    guard group.isMain else { return }
    let reference = regressionModel(seed: 11)
    let referenceOptimizer = SGD(parameters: reference.parameters(), learningRate: 0.05, momentum: 0.9)
    train(reference, referenceOptimizer, loader: DataLoader(data, batchSize: batchSize * group.size, shuffle: true, seed: 5)) { _ in
        referenceOptimizer.step()
    }
    let expected = reference.parameters().flatMap { $0.value.scalars }
    let difference = zip(mine, expected).map { abs($0 - $1) }.max() ?? 0
    let scale = expected.map { abs($0) }.max() ?? 0
    print("rank 0: largest difference from one process with batch \(batchSize * group.size): "
          + "\(difference) (largest parameter \(scale))")
}
