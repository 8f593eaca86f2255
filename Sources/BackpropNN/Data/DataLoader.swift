import Backprop

/// Mini-batches over a dataset, one pass per iteration, as PyTorch's `DataLoader`.
///
/// With `shuffle`, every pass (every `for batch in loader`) draws a new order
/// from the loader's generator, so a seed reproduces the whole sequence of epochs.
public final class DataLoader<Data: Dataset>: Sequence, ResumableLoader {
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

    /// The state of the generator that draws each pass's order, which a pass advances when it starts.
    public var shuffleState: UInt64 {
        get { generator.state }
        set { generator.state = newValue }
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

/// A data loader whose shuffling a checkpoint saves and restores, whatever its dataset: what
/// `Module.save(to:…loader:…)` and `Module.load(from:…loader:…)` take.
///
/// ``DataLoader`` conforms. The state is the generator's between passes: a pass
/// draws its whole order when it starts, so saving after a pass (at an epoch's
/// end) and loading into a fresh loader makes the next pass shuffle as the
/// uninterrupted run's would. A position inside a pass is not saved: a loader
/// that resumes always starts a new pass, as PyTorch's `DataLoader` does.
public protocol ResumableLoader: AnyObject {
    /// The state of the generator that draws each pass's order.
    var shuffleState: UInt64 { get set }
}
