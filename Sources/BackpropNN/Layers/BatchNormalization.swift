import Backprop

/// Batch normalisation over the channel axis 1, for the input layouts `Layout` accepts:
/// ``BatchNorm1d`` and ``BatchNorm2d``.
///
/// In training mode it normalises with the batch's mean and (biased) variance
/// and updates the running statistics: `running ← (1 − momentum)·running + momentum·batch`,
/// with the unbiased variance. In evaluation mode it uses the running statistics.
/// `y = (x − mean) / √(variance + epsilon) · weight + bias`. The layouts differ only in
/// the input ranks they accept, as PyTorch's `BatchNorm1d` and `BatchNorm2d` do.
public struct BatchNormalization<Scalar: TensorScalar, Layout: BatchNormLayout>: Layer, ExplicitStateNames {
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
    /// The weight of each batch's statistics in the running ones.
    public let momentum: Scalar
    /// Added to the variance before its square root.
    public let epsilon: Scalar
    /// Training or evaluation; set by the model's `train()` and `eval()`.
    public let mode = TrainingMode()

    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar),
         ("num_batches_tracked", numBatchesTracked), ("mode", mode)]
    }

    /// Creates the layer over `featureCount` channels, with PyTorch's defaults.
    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        require(featureCount > 0, "\(Layout.name): featureCount \(featureCount) must be positive")
        weight = Variable(.ones([featureCount]), requiresGrad: true)
        bias = Variable(.zeros([featureCount]), requiresGrad: true)
        runningMean = Buffer(.zeros([featureCount]))
        runningVar = Buffer(.ones([featureCount]))
        numBatchesTracked = Buffer(Tensor(0))
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let (rank, channels) = (input.shape.count, weight.shape[0])
        require(Layout.accepts(rank: rank) && input.shape[1] == channels,
                "\(Layout.name): input \(input.shape) is not \(Layout.description) with C = \(channels)")
        return batchNormalized(input, weight: weight, bias: bias, running: (runningMean, runningVar, numBatchesTracked),
                               momentum: momentum, epsilon: epsilon, isTraining: mode.isTraining)
    }
}

/// The input layouts a batch normalisation accepts.
public protocol BatchNormLayout {
    /// The layer's name, for messages.
    static var name: String { get }
    /// The accepted layouts, for messages, such as `"[N, C, H, W]"`.
    static var description: String { get }
    /// Whether the layer accepts input of rank `rank`.
    static func accepts(rank: Int) -> Bool
}

/// `[N, C]` or `[N, C, L]`: PyTorch's `BatchNorm1d`.
public enum Channels1d: BatchNormLayout {
    public static var name: String { "BatchNorm1d" }
    public static var description: String { "[N, C] or [N, C, L] (BatchNorm2d takes [N, C, H, W])" }
    public static func accepts(rank: Int) -> Bool { rank == 2 || rank == 3 }
}

/// `[N, C, H, W]`: PyTorch's `BatchNorm2d`.
public enum Channels2d: BatchNormLayout {
    public static var name: String { "BatchNorm2d" }
    public static var description: String { "[N, C, H, W] (BatchNorm1d takes [N, C] or [N, C, L])" }
    public static func accepts(rank: Int) -> Bool { rank == 4 }
}

/// Any rank from 2: the former `BatchNorm`.
public enum AnyChannels: BatchNormLayout {
    public static var name: String { "BatchNorm" }
    public static var description: String { "[N, C, …]" }
    public static func accepts(rank: Int) -> Bool { rank >= 2 }
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` input over the channel axis, as PyTorch's `nn.BatchNorm1d`.
public typealias BatchNorm1d<Scalar: TensorScalar> = BatchNormalization<Scalar, Channels1d>

/// Batch normalisation of `[N, C, H, W]` input over the channel axis, as PyTorch's `nn.BatchNorm2d`.
public typealias BatchNorm2d<Scalar: TensorScalar> = BatchNormalization<Scalar, Channels2d>

/// The former batch normalisation layer, for input of any rank from 2: now ``BatchNorm1d`` and ``BatchNorm2d``.
@available(*, deprecated, message: "use BatchNorm1d for [N, C] or [N, C, L] input, BatchNorm2d for [N, C, H, W]")
public typealias BatchNorm<Scalar: TensorScalar> = BatchNormalization<Scalar, AnyChannels>

/// Batch normalisation of `input`, whose shape the layer has checked, updating the running statistics when training.
@specialized(where S == Float)
@specialized(where S == Double)
private func batchNormalized<S: TensorScalar>(_ input: Variable<S>, weight: Variable<S>, bias: Variable<S>,
                                              running: (mean: Buffer<S>, variance: Buffer<S>, batches: Buffer<S>),
                                              momentum: S, epsilon: S, isTraining: Bool) -> Variable<S> {
    let (rank, channels) = (input.shape.count, weight.shape[0])
    let (runningMean, runningVar) = (running.mean, running.variance)
    // Per-channel tensors broadcast as [1, C, 1, …].
    let channelShape = [1, channels] + Array(repeating: 1, count: rank - 2)
    let reduced = [0] + Array(2..<rank)
    let mean: Variable<S>, variance: Variable<S>
    if isTraining {
        mean = reduced.reversed().reduce(input) { $0.mean(axis: $1, keepDims: true) }
        let centered = input - mean
        variance = reduced.reversed().reduce(centered * centered) { $0.mean(axis: $1, keepDims: true) }
        let count = S(input.value.count / channels)
        // An effect, so that a compiled training step updates the statistics at every call too.
        recordEffect(reading: [mean, variance]) { values in
            runningMean.value = runningMean.value * (1 - momentum) + values[0].reshaped([-1]) * momentum
            let unbiased = values[1].reshaped([-1]) * (count / Swift.max(count - 1, 1))
            runningVar.value = runningVar.value * (1 - momentum) + unbiased * momentum
            running.batches.value = running.batches.value + 1
        }
    } else {
        mean = Variable(runningMean.value.reshaped(channelShape))
        variance = Variable(runningVar.value.reshaped(channelShape))
    }
    let normalized = (input - mean) / sqrt(variance + epsilon)
    return normalized * weight.reshaped(channelShape) + bias.reshaped(channelShape)
}
