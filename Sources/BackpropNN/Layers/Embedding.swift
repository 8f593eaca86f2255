import Backprop

/// A lookup table of learned vectors, one row per token, as PyTorch's `nn.Embedding`.
///
/// Weight `[count, dimension]` starts standard normal, PyTorch's default.
public struct Embedding<Scalar: TensorScalar>: Module {
    public typealias Input = [Int]
    public typealias Output = Variable<Scalar>

    /// `[count, dimension]`.
    public let weight: Variable<Scalar>

    public init(count: Int, dimension: Int) {
        weight = Variable(Initializer<Scalar>.normal(mean: 0, standardDeviation: 1).makeTensor([count, dimension]),
                          requiresGrad: true)
    }

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
