import Backprop

/// Batch normalisation over the channel axis 1: what ``BatchNorm1d`` and ``BatchNorm2d`` share.
///
/// In training mode it normalises with the batch's mean and (biased) variance
/// and updates the running statistics: `running ← (1 − momentum)·running + momentum·batch`,
/// with the unbiased variance. In evaluation mode it uses the running statistics.
/// `y = (x − mean) / √(variance + epsilon) · weight + bias`. The two layers differ only in
/// the input ranks they accept, as in PyTorch.
public protocol BatchNormalization<Scalar>: Layer, ExplicitStateNames {
    /// `[C]`, starting at 1.
    var weight: Variable<Scalar> { get }
    /// `[C]`, starting at 0.
    var bias: Variable<Scalar> { get }
    /// `[C]`, starting at 0.
    var runningMean: Buffer<Scalar> { get }
    /// `[C]`, starting at 1.
    var runningVar: Buffer<Scalar> { get }
    /// The number of training batches seen, as a 0-d tensor.
    var numBatchesTracked: Buffer<Scalar> { get }
    /// The weight of each batch's statistics in the running ones.
    var momentum: Scalar { get }
    /// Added to the variance before its square root.
    var epsilon: Scalar { get }
    /// Training or evaluation; set by the model's `train()` and `eval()`.
    var mode: TrainingMode { get }
    /// The input layouts the layer accepts, for its error message, such as `"[N, C, H, W]"`.
    static var inputLayouts: String { get }
    /// Whether the layer accepts input of rank `rank`.
    static func accepts(rank: Int) -> Bool
}

extension BatchNormalization {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] {
        [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar),
         ("num_batches_tracked", numBatchesTracked), ("mode", mode)]
    }

    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let (rank, channels) = (input.shape.count, weight.shape[0])
        require(Self.accepts(rank: rank) && input.shape[1] == channels,
                "\(Self.self): input \(input.shape) is not \(Self.inputLayouts) with C = \(channels)")
        return batchNormalized(input, weight: weight, bias: bias, running: (runningMean, runningVar, numBatchesTracked),
                               momentum: momentum, epsilon: epsilon, isTraining: mode.isTraining)
    }
}

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
        withoutGradients {
            runningMean.value = runningMean.value * (1 - momentum) + mean.value.reshaped([-1]) * momentum
            let unbiased = variance.value.reshaped([-1]) * (count / Swift.max(count - 1, 1))
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

/// The parameters and buffers of a batch normalisation over `featureCount` channels, as PyTorch starts them.
private func batchNormState<S: TensorScalar>(_ featureCount: Int, _ owner: String)
    -> (Variable<S>, Variable<S>, Buffer<S>, Buffer<S>, Buffer<S>) {
    require(featureCount > 0, "\(owner): featureCount \(featureCount) must be positive")
    return (Variable(.ones([featureCount]), requiresGrad: true), Variable(.zeros([featureCount]), requiresGrad: true),
            Buffer(.zeros([featureCount])), Buffer(.ones([featureCount])), Buffer(Tensor(0)))
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` input over the channel axis, as PyTorch's `nn.BatchNorm1d`.
///
/// See ``BatchNormalization`` for the computation.
public struct BatchNorm1d<Scalar: TensorScalar>: BatchNormalization {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>
    public let runningMean: Buffer<Scalar>
    public let runningVar: Buffer<Scalar>
    public let numBatchesTracked: Buffer<Scalar>
    public let momentum: Scalar
    public let epsilon: Scalar
    public let mode = TrainingMode()

    /// Creates the layer over `featureCount` channels, with PyTorch's defaults.
    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        (weight, bias, runningMean, runningVar, numBatchesTracked) = batchNormState(featureCount, "BatchNorm1d")
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public static var inputLayouts: String { "[N, C] or [N, C, L] (BatchNorm2d takes [N, C, H, W])" }
    public static func accepts(rank: Int) -> Bool { rank == 2 || rank == 3 }
}

/// Batch normalisation of `[N, C, H, W]` input over the channel axis, as PyTorch's `nn.BatchNorm2d`.
///
/// See ``BatchNormalization`` for the computation.
public struct BatchNorm2d<Scalar: TensorScalar>: BatchNormalization {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>
    public let runningMean: Buffer<Scalar>
    public let runningVar: Buffer<Scalar>
    public let numBatchesTracked: Buffer<Scalar>
    public let momentum: Scalar
    public let epsilon: Scalar
    public let mode = TrainingMode()

    /// Creates the layer over `featureCount` channels, with PyTorch's defaults.
    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        (weight, bias, runningMean, runningVar, numBatchesTracked) = batchNormState(featureCount, "BatchNorm2d")
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public static var inputLayouts: String { "[N, C, H, W] (BatchNorm1d takes [N, C] or [N, C, L])" }
    public static func accepts(rank: Int) -> Bool { rank == 4 }
}

/// The former batch normalisation layer, for input of any rank ≥ 2: now ``BatchNorm1d`` and ``BatchNorm2d``.
@available(*, deprecated, message: "use BatchNorm1d for [N, C] or [N, C, L] input, BatchNorm2d for [N, C, H, W]")
public struct BatchNorm<Scalar: TensorScalar>: BatchNormalization {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>
    public let runningMean: Buffer<Scalar>
    public let runningVar: Buffer<Scalar>
    public let numBatchesTracked: Buffer<Scalar>
    public let momentum: Scalar
    public let epsilon: Scalar
    public let mode = TrainingMode()

    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        (weight, bias, runningMean, runningVar, numBatchesTracked) = batchNormState(featureCount, "BatchNorm")
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public static var inputLayouts: String { "[N, C, …]" }
    public static func accepts(rank: Int) -> Bool { rank >= 2 }
}
