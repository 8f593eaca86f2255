import Backprop

/// The feed-forward activation of a transformer layer (PyTorch's `activation="relu"` or `"gelu"`).
public enum TransformerActivation: Sendable {
    case relu
    /// The exact (erf) GELU.
    case gelu

    func callAsFunction<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
        switch self {
        case .relu: Backprop.relu(x)
        case .gelu: Backprop.gelu(x)
        }
    }
}

/// A transformer encoder layer, as PyTorch's `nn.TransformerEncoderLayer` with `batch_first=True`.
///
/// Post-norm (default): `x = norm1(x + sa(x))`, `x = norm2(x + ff(x))`; pre-norm (`normFirst`):
/// `x = x + sa(norm1(x))`, `x = x + ff(norm2(x))`, where `sa` is dropout1 of self-attention and
/// `ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))`. Its checkpoint keys are PyTorch's
/// (`self_attn.in_proj_weight`, `linear1.weight`, `norm1.weight`, …).
public struct TransformerEncoderLayer<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("self_attn", selfAttention), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }
    public let selfAttention: MultiHeadAttention<Scalar>
    public let linear1: Linear<Scalar>
    public let dropout: Dropout<Scalar>
    public let linear2: Linear<Scalar>
    public let normFirst: Bool
    public let norm1: LayerNorm<Scalar>
    public let norm2: LayerNorm<Scalar>
    public let dropout1: Dropout<Scalar>
    public let dropout2: Dropout<Scalar>
    public let activation: TransformerActivation

    /// Creates a layer over `[batch, sequence, modelSize]` with PyTorch's defaults; weights come from ``RandomScope``.
    public init(modelSize: Int, headCount: Int, feedForwardSize: Int = 2048, dropout: Scalar = 0.1,
                normFirst: Bool = false, activation: TransformerActivation = .relu, layerNormEpsilon: Scalar = 1e-5) {
        selfAttention = MultiHeadAttention(modelSize: modelSize, headCount: headCount, dropout: dropout)
        linear1 = Linear(inputSize: modelSize, outputSize: feedForwardSize)
        self.dropout = Dropout(probability: dropout)
        linear2 = Linear(inputSize: feedForwardSize, outputSize: modelSize)
        self.normFirst = normFirst
        norm1 = LayerNorm(featureCount: modelSize, epsilon: layerNormEpsilon)
        norm2 = LayerNorm(featureCount: modelSize, epsilon: layerNormEpsilon)
        dropout1 = Dropout(probability: dropout)
        dropout2 = Dropout(probability: dropout)
        self.activation = activation
    }

    /// Applies the layer without masks.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { self(input, mask: nil) }

    /// Applies the layer to `[batch, sequence, modelSize]`.
    /// - Parameters:
    ///   - mask: which positions may attend to which (see ``AttentionMask``).
    ///   - keyPaddingMask: `[batch, sequence]`, true at padding.
    public func callAsFunction(_ input: Variable<Scalar>, mask: AttentionMask<Scalar>? = nil,
                               keyPaddingMask: Tensor<Bool>? = nil) -> Variable<Scalar> {
        func selfAttentionBlock(_ x: Variable<Scalar>) -> Variable<Scalar> {
            dropout1(selfAttention(query: x, key: x, value: x, mask: mask, keyPaddingMask: keyPaddingMask))
        }
        func feedForward(_ x: Variable<Scalar>) -> Variable<Scalar> { dropout2(linear2(dropout(activation(linear1(x))))) }
        if normFirst {
            let x = input + selfAttentionBlock(norm1(input))
            return x + feedForward(norm2(x))
        }
        let x = norm1(input + selfAttentionBlock(input))
        return norm2(x + feedForward(x))
    }
}

/// A stack of encoder layers, as PyTorch's `nn.TransformerEncoder` (keys `layers.0.…`), with an optional final norm.
public struct TransformerEncoder<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("layers", layers), ("norm", norm as Any)] }
    public let layers: [TransformerEncoderLayer<Scalar>]
    /// Applied after the last layer (PyTorch's `norm`), usually with pre-norm layers.
    public let norm: LayerNorm<Scalar>?

    /// Stacks `layerCount` layers, each made by `makeLayer` (called once per layer, so each has its own weights).
    public init(layerCount: Int, norm: LayerNorm<Scalar>? = nil, makeLayer: () -> TransformerEncoderLayer<Scalar>) {
        require(layerCount > 0, "TransformerEncoder: layer count \(layerCount) is not positive")
        layers = (0..<layerCount).map { _ in makeLayer() }
        self.norm = norm
    }

    /// Applies the layers without masks.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { self(input, mask: nil) }

    /// Applies every layer with the same masks, then the final norm.
    public func callAsFunction(_ input: Variable<Scalar>, mask: AttentionMask<Scalar>? = nil,
                               keyPaddingMask: Tensor<Bool>? = nil) -> Variable<Scalar> {
        let x = layers.reduce(input) { x, layer in layer(x, mask: mask, keyPaddingMask: keyPaddingMask) }
        return norm.map { $0(x) } ?? x
    }
}

/// A transformer decoder layer, as PyTorch's `nn.TransformerDecoderLayer` with `batch_first=True`.
///
/// Self-attention (`self_attn`) over the target, cross-attention (`multihead_attn`) over `memory`,
/// then the feed-forward block, each with a residual and `norm1`, `norm2`, `norm3` after (post-norm)
/// or before (`normFirst`).
public struct TransformerDecoderLayer<Scalar: TensorScalar>: Module, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("self_attn", selfAttention), ("multihead_attn", crossAttention), ("linear1", linear1), ("dropout", dropout),
         ("linear2", linear2), ("norm1", norm1), ("norm2", norm2), ("norm3", norm3),
         ("dropout1", dropout1), ("dropout2", dropout2), ("dropout3", dropout3)]
    }
    public let selfAttention: MultiHeadAttention<Scalar>
    public let crossAttention: MultiHeadAttention<Scalar>
    public let linear1: Linear<Scalar>
    public let dropout: Dropout<Scalar>
    public let linear2: Linear<Scalar>
    public let normFirst: Bool
    public let norm1: LayerNorm<Scalar>
    public let norm2: LayerNorm<Scalar>
    public let norm3: LayerNorm<Scalar>
    public let dropout1: Dropout<Scalar>
    public let dropout2: Dropout<Scalar>
    public let dropout3: Dropout<Scalar>
    public let activation: TransformerActivation

    /// Creates a layer over `[batch, sequence, modelSize]` with PyTorch's defaults; weights come from ``RandomScope``.
    public init(modelSize: Int, headCount: Int, feedForwardSize: Int = 2048, dropout: Scalar = 0.1,
                normFirst: Bool = false, activation: TransformerActivation = .relu, layerNormEpsilon: Scalar = 1e-5) {
        selfAttention = MultiHeadAttention(modelSize: modelSize, headCount: headCount, dropout: dropout)
        crossAttention = MultiHeadAttention(modelSize: modelSize, headCount: headCount, dropout: dropout)
        linear1 = Linear(inputSize: modelSize, outputSize: feedForwardSize)
        self.dropout = Dropout(probability: dropout)
        linear2 = Linear(inputSize: feedForwardSize, outputSize: modelSize)
        self.normFirst = normFirst
        norm1 = LayerNorm(featureCount: modelSize, epsilon: layerNormEpsilon)
        norm2 = LayerNorm(featureCount: modelSize, epsilon: layerNormEpsilon)
        norm3 = LayerNorm(featureCount: modelSize, epsilon: layerNormEpsilon)
        dropout1 = Dropout(probability: dropout)
        dropout2 = Dropout(probability: dropout)
        dropout3 = Dropout(probability: dropout)
        self.activation = activation
    }

    /// Applies the layer to a `(target, memory)` pair without masks.
    public func callAsFunction(_ input: (target: Variable<Scalar>, memory: Variable<Scalar>)) -> Variable<Scalar> {
        self(input.target, memory: input.memory)
    }

    /// Decodes `target` `[batch, T, modelSize]` attending to `memory` `[batch, S, modelSize]`.
    /// - Parameters:
    ///   - targetMask: for self-attention, `[T, T]` (e.g. `.causal`).
    ///   - memoryMask: for cross-attention, `[T, S]`.
    ///   - targetKeyPaddingMask: `[batch, T]`, true at target padding.
    ///   - memoryKeyPaddingMask: `[batch, S]`, true at memory padding.
    public func callAsFunction(_ target: Variable<Scalar>, memory: Variable<Scalar>,
                               targetMask: AttentionMask<Scalar>? = nil, memoryMask: AttentionMask<Scalar>? = nil,
                               targetKeyPaddingMask: Tensor<Bool>? = nil,
                               memoryKeyPaddingMask: Tensor<Bool>? = nil) -> Variable<Scalar> {
        func selfAttentionBlock(_ x: Variable<Scalar>) -> Variable<Scalar> {
            dropout1(selfAttention(query: x, key: x, value: x, mask: targetMask, keyPaddingMask: targetKeyPaddingMask))
        }
        func crossAttentionBlock(_ x: Variable<Scalar>) -> Variable<Scalar> {
            dropout2(crossAttention(query: x, key: memory, value: memory, mask: memoryMask, keyPaddingMask: memoryKeyPaddingMask))
        }
        func feedForward(_ x: Variable<Scalar>) -> Variable<Scalar> { dropout3(linear2(dropout(activation(linear1(x))))) }
        if normFirst {
            var x = target + selfAttentionBlock(norm1(target))
            x = x + crossAttentionBlock(norm2(x))
            return x + feedForward(norm3(x))
        }
        var x = norm1(target + selfAttentionBlock(target))
        x = norm2(x + crossAttentionBlock(x))
        return norm3(x + feedForward(x))
    }
}
