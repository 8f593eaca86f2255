import Backprop

/// Mini-batches over a dataset, one pass per iteration, as PyTorch's `DataLoader`.
///
/// With `shuffle`, every pass (every `for batch in loader`) draws a new order
/// from the loader's generator, so a seed reproduces the whole sequence of epochs.
///
/// With a `shard`, as PyTorch's `DistributedSampler`, the loader yields one rank's part of each
/// pass, for data-parallel training: every rank makes its loader with the same seed, so all draw
/// the same order, and the pass is cut into global batches of `batchSize × shard.count`
/// examples, of which rank `r` takes positions `r`, `r + count`, `r + 2·count`, …. The ranks' parts
/// are disjoint, every rank has the same number of batches, and together the ranks' `i`-th
/// batches are exactly the `i`-th batch of an unsharded loader with batch size
/// `batchSize × shard.count`. A last global batch with fewer examples than ranks is left out
/// (each rank must have one); without `dropLast`, any other last batch is kept, with sizes
/// differing by at most one between ranks.
public final class DataLoader<Data: Dataset>: Sequence, ResumableLoader {
    public let dataset: Data
    public let batchSize: Int
    public let shuffle: Bool
    /// Whether a last batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    /// This rank's part of each pass, or nil for all of it.
    public let shard: DataShard?
    private var generator: SeededGenerator

    /// Creates a loader; without a `seed`, shuffling draws its seed from ``RandomScope``.
    public init(_ dataset: Data, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64? = nil,
                shard: DataShard? = nil) {
        require(batchSize > 0, "DataLoader: batch size \(batchSize) is not positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.shard = shard
        generator = SeededGenerator(seed: seed ?? RandomScope.nextSeed())
    }

    /// The number of batches in one pass (on every rank, with a shard).
    public var batchCount: Int {
        let (ranks, whole) = (shard?.count ?? 1, batchSize * (shard?.count ?? 1))
        let rest = dataset.count % whole
        return dataset.count / whole + (!dropLast && rest >= ranks ? 1 : 0)    // rest ≥ ranks ≥ 1: a batch for each
    }

    /// The state of the generator that draws each pass's order, which a pass advances when it starts.
    public var shuffleState: UInt64 {
        get { generator.state }
        set { generator.state = newValue }
    }

    /// One pass over the data.
    public func makeIterator() -> AnyIterator<Batch<Data.Scalar>> {
        let order = shuffle ? shuffledIndices(dataset.count, using: &generator) : Array(0..<dataset.count)
        let (dataset, batches, shard) = (self.dataset, batchCount, self.shard ?? DataShard(index: 0, count: 1))
        let whole = batchSize * shard.count
        var next = 0
        return AnyIterator {
            guard next < batches else { return nil }
            defer { next += 1 }
            let start = next * whole
            let positions = stride(from: start + shard.index, to: Swift.min(start + whole, order.count), by: shard.count)
            return dataset.batch(at: positions.map { order[$0] })
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

/// One rank's part of the data in data-parallel training: which of `count` equal parts it reads.
public struct DataShard: Sendable, Equatable {
    /// The rank, from 0.
    public let index: Int
    /// The number of ranks.
    public let count: Int

    /// Creates a shard; stops unless `0 ≤ index < count`.
    public init(index: Int, count: Int) {
        require(count > 0 && (0..<count).contains(index), "DataShard: index \(index) is not in 0..<\(count)")
        (self.index, self.count) = (index, count)
    }
}
