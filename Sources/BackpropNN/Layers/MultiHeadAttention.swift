import Backprop

/// Which query–key pairs attention may use: the `attn_mask` of PyTorch's `nn.MultiheadAttention`.
///
/// One spelling for all three kinds, so that a layer takes a single optional `mask:`.
public enum AttentionMask<Scalar: TensorScalar> {
    /// Added to the scores `q·kᵀ/√d` before the softmax: `[T, S]`, or `[batch·heads, T, S]`.
    /// Use `-∞` to forbid a pair.
    case additive(Tensor<Scalar>)
    /// `[T, S]` or `[batch·heads, T, S]`; `true` forbids attending (PyTorch's convention for a boolean `attn_mask`).
    case boolean(Tensor<Bool>)
    /// Query `i` sees only keys `j ≤ i`.
    case causal
}

/// Multi-head scaled dot-product attention, as PyTorch's `nn.MultiheadAttention` with `batch_first=True`.
///
/// Inputs are `[batch, length, modelSize]`. Queries, keys and values are
/// projected by the three blocks of `in_proj_weight` (`[3E, E]`, Xavier-uniform)
/// and `in_proj_bias` (zeros), split into `headCount` heads of `E / headCount`,
/// attended with `softmax(q·kᵀ / √d + mask)`, then joined and projected by `out_proj`.
/// A query whose every key is masked gets NaN outputs, as in PyTorch's reference path.
public struct MultiHeadAttention<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("in_proj_weight", inputProjectionWeight), ("in_proj_bias", inputProjectionBias as Any),
         ("out_proj", outputProjection), ("mode", mode), ("generator", generator as Any)]
    }
    /// `[3E, E]`: the query, key and value projections stacked.
    public let inputProjectionWeight: Variable<Scalar>
    /// `[3E]`, or nil without biases.
    public let inputProjectionBias: Variable<Scalar>?
    /// The output projection, `[E, E]`.
    public let outputProjection: Linear<Scalar>
    /// The number of heads `modelSize` splits into.
    public let headCount: Int
    /// Whether self-attention through ``callAsFunction(_:)`` is causal.
    public let isCausal: Bool
    /// The probability of zeroing each attention weight while training.
    public let dropout: Scalar
    /// Training or evaluation; set by the model's `train()` and `eval()`.
    public let mode = TrainingMode()
    /// Where the dropout masks come from; nil when `dropout` is 0, so that such a layer draws no seed.
    public let generator: RandomGenerator?

    /// Creates attention over `modelSize` features split into `headCount` heads.
    ///
    /// - Parameters:
    ///   - bias: whether the projections have biases.
    ///   - causal: whether ``callAsFunction(_:)`` masks later positions.
    ///   - dropout: the probability of zeroing an attention weight in training mode.
    ///   - seed: the dropout generator's seed (by default, one drawn from ``RandomScope``).
    public init(modelSize: Int, headCount: Int, bias: Bool = true, causal: Bool = false,
                dropout: Scalar = 0, seed: UInt64? = nil) {
        require(headCount > 0 && modelSize % headCount == 0,
                "MultiHeadAttention: model size \(modelSize) does not split into \(headCount) heads")
        require(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout \(dropout) is not in [0, 1)")
        inputProjectionWeight = Variable(Initializer<Scalar>.xavierUniform().makeTensor([3 * modelSize, modelSize]),
                                requiresGrad: true)
        inputProjectionBias = bias ? Variable(.zeros([3 * modelSize]), requiresGrad: true) : nil
        let projection = Linear<Scalar>(inputSize: modelSize, outputSize: modelSize, bias: false)
        outputProjection = Linear(weight: projection.weight.value, bias: bias ? .zeros([modelSize]) : nil)
        self.headCount = headCount
        isCausal = causal
        self.dropout = dropout
        generator = dropout > 0 ? RandomGenerator(seed: seed) : nil
    }

    /// The former spelling of ``init(modelSize:headCount:bias:causal:dropout:seed:)``.
    @available(*, deprecated, message: "use MultiHeadAttention(modelSize:headCount:…)")
    public init(embedDimension: Int, headCount: Int, bias: Bool = true, causal: Bool = false) {
        self.init(modelSize: embedDimension, headCount: headCount, bias: bias, causal: causal)
    }

    /// Self-attention: queries, keys and values all come from `input`; causal if the layer is.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        self(query: input, key: input, value: input, mask: isCausal ? .causal : nil)
    }

    /// Self-attention of `input` `[B, L, E]` with a mask and padding.
    /// - Parameters:
    ///   - mask: which pairs may attend; nil means the layer's own (causal or none).
    ///   - keyPaddingMask: `[B, L]`, true at padding that no query may attend to.
    public func callAsFunction(_ input: Variable<Scalar>, mask: AttentionMask<Scalar>? = nil,
                               keyPaddingMask: Tensor<Bool>? = nil) -> Variable<Scalar> {
        self(query: input, key: input, value: input, mask: mask ?? (isCausal ? .causal : nil), keyPaddingMask: keyPaddingMask)
    }

    /// Attention of `query` `[B, T, E]` over `key` and `value` `[B, S, E]`, giving `[B, T, E]`.
    /// - Parameters:
    ///   - mask: which pairs may attend, `[T, S]` or `[B·heads, T, S]` (see ``AttentionMask``).
    ///   - keyPaddingMask: `[B, S]`, true at padding that no query may attend to.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(query: Variable<Scalar>, key: Variable<Scalar>, value: Variable<Scalar>,
                               mask: AttentionMask<Scalar>? = nil, keyPaddingMask: Tensor<Bool>? = nil) -> Variable<Scalar> {
        attend(query: query, key: key, value: value, mask: mask, keyPaddingMask: keyPaddingMask, averageWeights: nil).output
    }

    /// The former spelling of a causal mask; use `mask: .causal`.
    @available(*, deprecated, message: "use callAsFunction(query:key:value:mask: .causal)")
    public func callAsFunction(query: Variable<Scalar>, key: Variable<Scalar>, value: Variable<Scalar>,
                               causal: Bool) -> Variable<Scalar> {
        self(query: query, key: key, value: value, mask: causal ? .causal : nil)
    }

    /// Attention's output and its weights, as PyTorch's `need_weights=True`.
    ///
    /// The weights are the softmax (after dropout, in training mode): `[B, T, S]` averaged
    /// over the heads when `averageWeights` (PyTorch's `average_attn_weights`), else `[B, heads, T, S]`.
    public func outputAndWeights(query: Variable<Scalar>, key: Variable<Scalar>, value: Variable<Scalar>,
                                 mask: AttentionMask<Scalar>? = nil, keyPaddingMask: Tensor<Bool>? = nil,
                                 averageWeights: Bool = true) -> (output: Variable<Scalar>, weights: Variable<Scalar>) {
        let result = attend(query: query, key: key, value: value, mask: mask, keyPaddingMask: keyPaddingMask,
                            averageWeights: averageWeights)
        return (result.output, result.weights!)
    }

    private func attend(query: Variable<Scalar>, key: Variable<Scalar>, value: Variable<Scalar>,
                        mask: AttentionMask<Scalar>?, keyPaddingMask: Tensor<Bool>?,
                        averageWeights: Bool?) -> (output: Variable<Scalar>, weights: Variable<Scalar>?) {
        let embed = inputProjectionWeight.shape[1]
        require(query.shape.count == 3 && query.shape[2] == embed && key.shape == value.shape
                && key.shape.count == 3 && key.shape[2] == embed && key.shape[0] == query.shape[0],
                "MultiHeadAttention: query \(query.shape), key \(key.shape) and value \(value.shape) "
                + "are not [batch, length, \(embed)] with matching batch, key and value")
        let (batch, targetLength, sourceLength) = (query.shape[0], query.shape[1], key.shape[1])
        let headSize = embed / headCount
        // Project, then fold the heads into the batch: [B, L, E] → [B·H, L, d].
        func project(_ x: Variable<Scalar>, _ block: Int) -> Variable<Scalar> {
            let range = (block * embed)..<((block + 1) * embed)
            let projected = linear(x, weight: inputProjectionWeight.slicing(range), bias: inputProjectionBias?.slicing(range))
            let length = x.shape[1]
            return projected.reshaped([batch, length, headCount, headSize]).permuted([0, 2, 1, 3])
                .reshaped([batch * headCount, length, headSize])
        }
        let (q, k, v) = (project(query, 0), project(key, 1), project(value, 2))
        var scores = matmul(q, k.transposed()) / Scalar(headSize).squareRoot()
        let forbidden = Variable(Tensor(-Scalar.infinity))
        func requireMaskShape(_ shape: [Int]) {
            require(shape == [targetLength, sourceLength] || shape == [batch * headCount, targetLength, sourceLength],
                    "MultiHeadAttention: mask \(shape) is neither [\(targetLength), \(sourceLength)] "
                    + "nor [\(batch * headCount), \(targetLength), \(sourceLength)]")
        }
        switch mask {
        case .additive(let additive)?:
            requireMaskShape(additive.shape)
            scores = scores + Variable(additive)
        case .boolean(let disallowed)?:
            requireMaskShape(disallowed.shape)
            scores = which(disallowed, forbidden, scores)
        case .causal?:
            let later = Tensor<Bool>(shape: [targetLength, sourceLength], scalars: (0..<(targetLength * sourceLength)).map {
                $0 % sourceLength > $0 / sourceLength
            })
            scores = which(later, forbidden, scores)
        case nil:
            break
        }
        if let padding = keyPaddingMask {
            require(padding.shape == [batch, sourceLength],
                    "MultiHeadAttention: key padding mask \(padding.shape) is not [\(batch), \(sourceLength)]")
            let flags = padding.scalars
            let perHead = Tensor<Bool>(shape: [batch * headCount, 1, sourceLength], scalars: (0..<(batch * headCount * sourceLength)).map {
                flags[($0 / (headCount * sourceLength)) * sourceLength + $0 % sourceLength]
            })
            scores = which(perHead, forbidden, scores)
        }
        var weights = softmax(scores, axis: -1)
        if let generator, mode.isTraining {
            weights = weights * generator.dropoutMask(weights.shape, probability: dropout)
        }
        let attended = matmul(weights, v)
            .reshaped([batch, headCount, targetLength, headSize]).permuted([0, 2, 1, 3]).reshaped([batch, targetLength, embed])
        let perHeadWeights = weights.reshaped([batch, headCount, targetLength, sourceLength])
        let returned = averageWeights.map { $0 ? perHeadWeights.mean(axis: 1) : perHeadWeights }
        return (outputProjection(attended), returned)
    }
}

extension MultiHeadAttention {
    /// The former name of ``inputProjectionWeight``.
    @available(*, deprecated, renamed: "inputProjectionWeight")
    public var inProjWeight: Variable<Scalar> { inputProjectionWeight }
    /// The former name of ``inputProjectionBias``.
    @available(*, deprecated, renamed: "inputProjectionBias")
    public var inProjBias: Variable<Scalar>? { inputProjectionBias }
    /// The former name of ``outputProjection``.
    @available(*, deprecated, renamed: "outputProjection")
    public var outProj: Linear<Scalar> { outputProjection }
}
