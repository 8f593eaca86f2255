import Backprop

/// Layer normalisation over the trailing axes given by `shape`, as PyTorch's `nn.LayerNorm`:
/// `y = (x − mean) / √(variance + epsilon) · weight + bias`, biased variance.
public struct LayerNorm<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight as Any), ("bias", bias as Any)] }
    /// The normalised trailing shape.
    public let shape: [Int]
    /// Shaped like `shape`, starting at 1; nil without the affine part.
    public let weight: Variable<Scalar>?
    /// Shaped like `shape`, starting at 0; nil without the affine part.
    public let bias: Variable<Scalar>?
    public let epsilon: Scalar

    public init(shape: [Int], epsilon: Scalar = 1e-5, elementwiseAffine: Bool = true) {
        self.shape = shape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Variable(.ones(shape), requiresGrad: true) : nil
        bias = elementwiseAffine ? Variable(.zeros(shape), requiresGrad: true) : nil
    }

    /// Normalises over the last axis of size `featureCount`.
    public init(featureCount: Int, epsilon: Scalar = 1e-5) { self.init(shape: [featureCount], epsilon: epsilon) }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let rank = input.shape.count
        require(Array(input.shape.suffix(shape.count)) == shape && rank >= shape.count,
                "LayerNorm: input \(input.shape) does not end in the normalised shape \(shape)")
        let axes = Array((rank - shape.count)..<rank)
        let mean = axes.reversed().reduce(input) { $0.mean(axis: $1, keepDims: true) }
        let centered = input - mean
        let variance = axes.reversed().reduce(centered * centered) { $0.mean(axis: $1, keepDims: true) }
        var output = centered / sqrt(variance + epsilon)
        if let weight { output = output * weight }
        if let bias { output = output + bias }
        return output
    }
}

/// Root-mean-square normalisation over the last axis, as PyTorch's `nn.RMSNorm`:
/// `y = x / √(mean(x²) + epsilon) · weight`, with no centring and no bias.
public struct RMSNorm<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight)] }
    /// `[featureCount]`, starting at 1.
    public let weight: Variable<Scalar>
    /// Added to the mean square; nil uses the scalar type's machine epsilon, PyTorch's default.
    public let epsilon: Scalar?

    public init(featureCount: Int, epsilon: Scalar? = nil) {
        require(featureCount > 0, "RMSNorm: featureCount \(featureCount) must be positive")
        weight = Variable(.ones([featureCount]), requiresGrad: true)
        self.epsilon = epsilon
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        require(input.shape.last == weight.shape[0],
                "RMSNorm: input \(input.shape) does not end in the feature count \(weight.shape[0])")
        let meanSquare = (input * input).mean(axis: -1, keepDims: true)
        return input / sqrt(meanSquare + (epsilon ?? Scalar.ulpOfOne)) * weight
    }
}

/// Group normalisation, as PyTorch's `nn.GroupNorm`: the channels of `[N, C, …]` split into
/// `groupCount` groups, each normalised over its channels and positions together (biased
/// variance), then `weight` and `bias` per channel.
public struct GroupNorm<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight), ("bias", bias)] }
    public let groupCount: Int
    /// `[channelCount]`, starting at 1.
    public let weight: Variable<Scalar>
    /// `[channelCount]`, starting at 0.
    public let bias: Variable<Scalar>
    public let epsilon: Scalar

    public init(groupCount: Int, channelCount: Int, epsilon: Scalar = 1e-5) {
        require(groupCount > 0 && channelCount % groupCount == 0,
                "GroupNorm: \(channelCount) channels do not split into \(groupCount) groups")
        self.groupCount = groupCount
        weight = Variable(.ones([channelCount]), requiresGrad: true)
        bias = Variable(.zeros([channelCount]), requiresGrad: true)
        self.epsilon = epsilon
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let channels = weight.shape[0]
        require(input.shape.count >= 2 && input.shape[1] == channels,
                "GroupNorm: input \(input.shape) is not [batch, \(channels), …]")
        let grouped = input.reshaped([input.shape[0], groupCount, -1])
        let centered = grouped - grouped.mean(axis: 2, keepDims: true)
        let variance = (centered * centered).mean(axis: 2, keepDims: true)
        let normalized = (centered / sqrt(variance + epsilon)).reshaped(input.shape)
        let channelShape = [channels] + [Int](repeating: 1, count: input.shape.count - 2)
        return normalized * weight.reshaped(channelShape) + bias.reshaped(channelShape)
    }
}

/// Instance normalisation of `[N, C, H, W]` (or `[C, H, W]`) input, as PyTorch's `nn.InstanceNorm2d`:
/// each channel of each image normalised over its `H × W` positions,
/// `y = (x − mean) / √(variance + epsilon)` with the biased variance, then `· weight + bias` per channel if `affine`.
///
/// As with PyTorch's defaults (`affine=False`, `track_running_stats=False`), it has no
/// parameters unless `affine` and keeps no running statistics, so training and evaluation agree.
public struct InstanceNorm2d<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight as Any), ("bias", bias as Any)] }
    /// `[featureCount]`, starting at 1; nil unless `affine`.
    public let weight: Variable<Scalar>?
    /// `[featureCount]`, starting at 0; nil unless `affine`.
    public let bias: Variable<Scalar>?
    /// The number of channels, C.
    public let featureCount: Int
    public let epsilon: Scalar

    public init(featureCount: Int, epsilon: Scalar = 1e-5, affine: Bool = false) {
        require(featureCount > 0, "InstanceNorm2d: featureCount \(featureCount) must be positive")
        self.featureCount = featureCount
        self.epsilon = epsilon
        weight = affine ? Variable(.ones([featureCount]), requiresGrad: true) : nil
        bias = affine ? Variable(.zeros([featureCount]), requiresGrad: true) : nil
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let rank = input.shape.count
        require((rank == 3 || rank == 4) && input.shape[rank - 3] == featureCount,
                "InstanceNorm2d: input \(input.shape) is not [batch, \(featureCount), height, width] or [\(featureCount), height, width]")
        let positions = input.reshaped(Array(input.shape.dropLast(2)) + [-1])
        let centered = positions - positions.mean(axis: -1, keepDims: true)
        let variance = (centered * centered).mean(axis: -1, keepDims: true)
        var output = (centered / sqrt(variance + epsilon)).reshaped(input.shape)
        if let weight { output = output * weight.reshaped([featureCount, 1, 1]) }
        if let bias { output = output + bias.reshaped([featureCount, 1, 1]) }
        return output
    }
}
