import Backprop

/// Mini-batches over a dataset, one pass per iteration, as PyTorch's `DataLoader`.
///
/// With `shuffle`, every pass (every `for batch in loader`) draws a new order
/// from the loader's generator, so a seed reproduces the whole sequence of epochs.
public final class DataLoader<Data: Dataset>: Sequence {
    public let dataset: Data
    public let batchSize: Int
    public let shuffle: Bool
    /// Whether a last batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    private var generator: SeededGenerator

    /// Creates a loader; without a `seed`, shuffling draws its seed from ``RandomScope``.
    public init(_ dataset: Data, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64? = nil) {
        require(batchSize > 0, "DataLoader: batch size \(batchSize) is not positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        generator = SeededGenerator(seed: seed ?? RandomScope.nextSeed())
    }

    /// The number of batches in one pass.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// One pass over the data.
    public func makeIterator() -> AnyIterator<Batch<Data.Scalar>> {
        let order = shuffle ? shuffledIndices(dataset.count, using: &generator) : Array(0..<dataset.count)
        let (dataset, batchSize, batches) = (self.dataset, self.batchSize, batchCount)
        var next = 0
        return AnyIterator {
            guard next < batches else { return nil }
            defer { next += 1 }
            let start = next * batchSize
            return dataset.batch(at: Array(order[start..<Swift.min(start + batchSize, order.count)]))
        }
    }
}
