import Backprop

/// A batch: inputs and targets with the examples stacked on axis 0.
public struct Batch<Scalar: TensorScalar>: Sendable {
    public var inputs: Tensor<Scalar>
    public var targets: Tensor<Scalar>

    public init(inputs: Tensor<Scalar>, targets: Tensor<Scalar>) { (self.inputs, self.targets) = (inputs, targets) }

    /// The targets read as integer class labels, for `crossEntropy(logits:labels:)`.
    public var labels: [Int] { targets.scalars.map { Int($0) } }
}

/// A finite collection of (input, target) examples.
public protocol Dataset<Scalar> {
    associatedtype Scalar: TensorScalar

    /// The number of examples.
    var count: Int { get }

    /// The examples at `indices`, stacked on axis 0.
    func batch(at indices: [Int]) -> Batch<Scalar>
}

/// A dataset held in memory as two tensors whose axis 0 runs over the examples, as PyTorch's `TensorDataset`.
public struct TensorDataset<Scalar: TensorScalar>: Dataset, Sendable {
    /// `[count, …]`.
    public let inputs: Tensor<Scalar>
    /// `[count, …]`: class labels as `[count]`, or regression targets.
    public let targets: Tensor<Scalar>

    /// Creates a dataset; stops if the two tensors disagree on the number of examples.
    public init(inputs: Tensor<Scalar>, targets: Tensor<Scalar>) {
        require(inputs.rank > 0 && targets.rank > 0 && inputs.shape[0] == targets.shape[0],
                "TensorDataset: inputs \(inputs.shape) and targets \(targets.shape) differ on axis 0")
        (self.inputs, self.targets) = (inputs, targets)
    }

    /// Creates a dataset with integer class labels.
    public init(inputs: Tensor<Scalar>, labels: [Int]) {
        self.init(inputs: inputs, targets: Tensor(labels.map { Scalar($0) }))
    }

    /// Creates a dataset with a tensor of integer class labels, `[count]`.
    public init(inputs: Tensor<Scalar>, labels: Tensor<Int>) {
        self.init(inputs: inputs, targets: labels.converted(to: Scalar.self))
    }

    public var count: Int { inputs.shape[0] }

    public func batch(at indices: [Int]) -> Batch<Scalar> {
        Batch(inputs: inputs.gathering(indices: indices, axis: 0), targets: targets.gathering(indices: indices, axis: 0))
    }
}

/// The examples of a base dataset at chosen positions.
public struct DatasetSubset<Base: Dataset>: Dataset {
    public let base: Base
    /// Positions in `base`.
    public let indices: [Int]

    public init(_ base: Base, indices: [Int]) {
        require(indices.allSatisfy { $0 >= 0 && $0 < base.count }, "DatasetSubset: an index is outside 0..<\(base.count)")
        (self.base, self.indices) = (base, indices)
    }

    public var count: Int { indices.count }

    public func batch(at positions: [Int]) -> Batch<Base.Scalar> { base.batch(at: positions.map { indices[$0] }) }
}

/// A subset is Sendable when the dataset it views is.
extension DatasetSubset: Sendable where Base: Sendable {}

extension Dataset {
    /// A seeded random split into training and validation subsets, `validationFraction` of the examples
    /// (rounded) going to validation.
    public func split(validationFraction: Double, seed: UInt64) -> (training: DatasetSubset<Self>, validation: DatasetSubset<Self>) {
        require(validationFraction >= 0 && validationFraction <= 1,
                "split: validation fraction \(validationFraction) is not in [0, 1]")
        var generator = SeededGenerator(seed: seed)
        let order = shuffledIndices(count, using: &generator)
        let validationCount = Int((Double(count) * validationFraction).rounded())
        return (DatasetSubset(self, indices: Array(order[validationCount...])),
                DatasetSubset(self, indices: Array(order[..<validationCount])))
    }
}

/// `0..<count` in a random order: a Fisher–Yates shuffle that is the same on every platform for a given generator.
func shuffledIndices(_ count: Int, using generator: inout SeededGenerator) -> [Int] {
    var indices = Array(0..<count)
    for i in stride(from: count - 1, to: 0, by: -1) {
        let j = Int(generator.next() % UInt64(i + 1))
        indices.swapAt(i, j)
    }
    return indices
}
