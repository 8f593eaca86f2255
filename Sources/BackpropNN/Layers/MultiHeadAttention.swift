import Backprop

/// Multi-head scaled dot-product attention, as PyTorch's `nn.MultiheadAttention` with `batch_first=True`.
///
/// Inputs are `[batch, length, embedDimension]`. Queries, keys and values are
/// projected by the three blocks of `in_proj_weight` (`[3E, E]`, Xavier-uniform)
/// and `in_proj_bias` (zeros), split into `headCount` heads of `E / headCount`,
/// attended with `softmax(q·kᵀ / √d)`, optionally masked so that position `i`
/// sees only positions `≤ i`, then joined and projected by `out_proj`.
public struct MultiHeadAttention<Scalar: TensorScalar>: Layer {
    /// `[3E, E]`: the query, key and value projections stacked.
    public let inProjWeight: Variable<Scalar>
    /// `[3E]`, or nil without biases.
    public let inProjBias: Variable<Scalar>?
    /// The output projection, `[E, E]`.
    public let outProj: Linear<Scalar>
    public let headCount: Int
    /// Whether self-attention through ``callAsFunction(_:)`` is causal.
    public let isCausal: Bool

    public init(embedDimension: Int, headCount: Int, bias: Bool = true, causal: Bool = false) {
        require(headCount > 0 && embedDimension % headCount == 0,
                "MultiHeadAttention: embedding dimension \(embedDimension) does not split into \(headCount) heads")
        inProjWeight = Variable(Initializer<Scalar>.xavierUniform().makeTensor([3 * embedDimension, embedDimension]),
                                requiresGrad: true)
        inProjBias = bias ? Variable(.zeros([3 * embedDimension]), requiresGrad: true) : nil
        let projection = Linear<Scalar>(inputSize: embedDimension, outputSize: embedDimension, bias: false)
        outProj = Linear(weight: projection.weight.value, bias: bias ? .zeros([embedDimension]) : nil)
        self.headCount = headCount
        isCausal = causal
    }

    /// Self-attention: queries, keys and values all come from `input`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        self(query: input, key: input, value: input, causal: isCausal)
    }

    /// Attention of `query` `[B, T, E]` over `key` and `value` `[B, S, E]`, giving `[B, T, E]`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(query: Variable<Scalar>, key: Variable<Scalar>, value: Variable<Scalar>,
                               causal: Bool = false) -> Variable<Scalar> {
        let embed = inProjWeight.shape[1]
        require(query.shape.count == 3 && query.shape[2] == embed && key.shape == value.shape
                && key.shape.count == 3 && key.shape[2] == embed && key.shape[0] == query.shape[0],
                "MultiHeadAttention: query \(query.shape), key \(key.shape) and value \(value.shape) "
                + "are not [batch, length, \(embed)] with matching batch, key and value")
        let (batch, targetLength, sourceLength) = (query.shape[0], query.shape[1], key.shape[1])
        let headSize = embed / headCount
        // Project, then fold the heads into the batch: [B, L, E] → [B·H, L, d].
        func project(_ x: Variable<Scalar>, _ block: Int) -> Variable<Scalar> {
            let range = (block * embed)..<((block + 1) * embed)
            let projected = linear(x, weight: inProjWeight.slicing(range), bias: inProjBias?.slicing(range))
            let length = x.shape[1]
            return projected.reshaped([batch, length, headCount, headSize]).permuted([0, 2, 1, 3])
                .reshaped([batch * headCount, length, headSize])
        }
        let (q, k, v) = (project(query, 0), project(key, 1), project(value, 2))
        var scores = matmul(q, k.transposed()) / Scalar(headSize).squareRoot()
        if causal {
            let allowed = Tensor<Bool>(shape: [targetLength, sourceLength], scalars: (0..<(targetLength * sourceLength)).map {
                $0 % sourceLength <= $0 / sourceLength
            })
            scores = which(allowed, scores, Variable(Tensor(-Scalar.infinity)))
        }
        let attended = matmul(softmax(scores, axis: -1), v)
            .reshaped([batch, headCount, targetLength, headSize]).permuted([0, 2, 1, 3]).reshaped([batch, targetLength, embed])
        return outProj(attended)
    }
}
