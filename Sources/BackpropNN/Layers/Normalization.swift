import Backprop

/// Batch normalisation over the channel axis 1, as PyTorch's `BatchNorm1d` (input `[N, C]` or
/// `[N, C, L]`) and `BatchNorm2d` (input `[N, C, H, W]`).
///
/// In training mode it normalises with the batch's mean and (biased) variance
/// and updates the running statistics: `running ← (1 − momentum)·running + momentum·batch`,
/// with the unbiased variance. In evaluation mode it uses the running statistics.
/// `y = (x − mean) / √(variance + epsilon) · weight + bias`.
public struct BatchNorm<Scalar: TensorScalar>: Layer {
    /// `[C]`, starting at 1.
    public let weight: Variable<Scalar>
    /// `[C]`, starting at 0.
    public let bias: Variable<Scalar>
    /// `[C]`, starting at 0.
    public let runningMean: Buffer<Scalar>
    /// `[C]`, starting at 1.
    public let runningVar: Buffer<Scalar>
    /// The number of training batches seen, as a 0-d tensor.
    public let numBatchesTracked: Buffer<Scalar>
    public let momentum: Scalar
    public let epsilon: Scalar
    /// Training or evaluation; set by the model's `train()` and `eval()`.
    public let mode = TrainingMode()

    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        weight = Variable(.ones([featureCount]), requiresGrad: true)
        bias = Variable(.zeros([featureCount]), requiresGrad: true)
        runningMean = Buffer(.zeros([featureCount]))
        runningVar = Buffer(.ones([featureCount]))
        numBatchesTracked = Buffer(Tensor(0))
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let rank = input.shape.count
        require(rank >= 2 && input.shape[1] == weight.shape[0],
                "BatchNorm: input \(input.shape) does not have \(weight.shape[0]) channels on axis 1")
        // Per-channel tensors broadcast as [1, C, 1, …].
        let channelShape = [1, weight.shape[0]] + Array(repeating: 1, count: rank - 2)
        let reduced = [0] + Array(2..<rank)
        let mean: Variable<Scalar>, variance: Variable<Scalar>
        if mode.isTraining {
            mean = reduced.reversed().reduce(input) { $0.mean(axis: $1, keepDims: true) }
            let centered = input - mean
            variance = reduced.reversed().reduce(centered * centered) { $0.mean(axis: $1, keepDims: true) }
            let count = Scalar(input.value.count / weight.shape[0])
            withoutGradients {
                runningMean.value = runningMean.value * (1 - momentum) + mean.value.reshaped([-1]) * momentum
                let unbiased = variance.value.reshaped([-1]) * (count / Swift.max(count - 1, 1))
                runningVar.value = runningVar.value * (1 - momentum) + unbiased * momentum
                numBatchesTracked.value = numBatchesTracked.value + 1
            }
        } else {
            mean = Variable(runningMean.value.reshaped(channelShape))
            variance = Variable(runningVar.value.reshaped(channelShape))
        }
        let normalized = (input - mean) / sqrt(variance + epsilon)
        return normalized * weight.reshaped(channelShape) + bias.reshaped(channelShape)
    }
}

/// Layer normalisation over the trailing axes given by `shape`, as PyTorch's `nn.LayerNorm`:
/// `y = (x − mean) / √(variance + epsilon) · weight + bias`, biased variance.
public struct LayerNorm<Scalar: TensorScalar>: Layer {
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
public struct RMSNorm<Scalar: TensorScalar>: Layer {
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
public struct GroupNorm<Scalar: TensorScalar>: Layer {
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
public struct InstanceNorm2d<Scalar: TensorScalar>: Layer {
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
