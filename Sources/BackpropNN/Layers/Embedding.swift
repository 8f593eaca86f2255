import Backprop

/// A lookup table of learned vectors, one row per token, as PyTorch's `nn.Embedding`.
///
/// Weight `[embeddingCount, embeddingSize]` starts standard normal, PyTorch's default.
public struct Embedding<Scalar: TensorScalar>: Module, ExplicitStateNames {
    public typealias Input = [Int]
    public typealias Output = Variable<Scalar>

    /// `[embeddingCount, embeddingSize]`.
    public let weight: Variable<Scalar>

    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight)] }

    /// Creates a table of `embeddingCount` vectors of `embeddingSize` features, as PyTorch's
    /// `nn.Embedding(num_embeddings, embedding_dim)`.
    public init(embeddingCount: Int, embeddingSize: Int) {
        require(embeddingCount > 0 && embeddingSize > 0,
                "Embedding: embeddingCount \(embeddingCount) and embeddingSize \(embeddingSize) must be positive")
        weight = Variable(Initializer<Scalar>.normal(mean: 0, standardDeviation: 1).makeTensor([embeddingCount, embeddingSize]),
                          requiresGrad: true)
    }

    /// The former spelling of ``init(embeddingCount:embeddingSize:)``.
    @available(*, deprecated, renamed: "init(embeddingCount:embeddingSize:)")
    public init(count: Int, dimension: Int) { self.init(embeddingCount: count, embeddingSize: dimension) }

    /// The rows for `indices`, `[indices.count, dimension]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ indices: [Int]) -> Variable<Scalar> {
        weight.gathering(indices: indices, axis: 0)
    }

    /// The rows for token ids of any shape: `[…] → […, dimension]`, as PyTorch's `nn.Embedding`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ indices: Tensor<Int>) -> Variable<Scalar> {
        weight.gathering(indices: indices, axis: 0)
    }

    /// The rows for a batch of equal-length sequences, `[batch, length, dimension]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ sequences: [[Int]]) -> Variable<Scalar> {
        let length = sequences.first?.count ?? 0
        require(sequences.allSatisfy { $0.count == length }, "Embedding: the sequences differ in length")
        return self(sequences.flatMap { $0 }).reshaped([sequences.count, length, weight.shape[1]])
    }
}
