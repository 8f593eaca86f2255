import Backprop

// 1-d convolution and max pooling, composed from public ops: the input padded,
// its windows gathered into a new axis, then a batched matrix product (Conv1d)
// or a maximum (MaxPool1d). The sweep differentiates them.

/// The windows along the last axis of `input`, gathered into a new axis before it:
/// `[…, L]` becomes `[…, kernelSize, outLength]`, element `[k, i]` being input position
/// `i · stride + k · dilation − padding`; padding positions hold `fill`.
private func slidingWindows<S: TensorScalar>(_ input: Variable<S>, kernelSize: Int, stride: Int, padding: Int,
                                            dilation: Int, fill: S, op: String) -> Variable<S> {
    let length = input.shape.last!
    let span = dilation * (kernelSize - 1) + 1
    require(length + 2 * padding >= span,
            "\(op): a window spanning \(span) positions (kernel \(kernelSize), dilation \(dilation)) "
                + "does not fit the padded length \(length + 2 * padding) of input \(input.shape)")
    let outLength = (length + 2 * padding - span) / stride + 1
    let rank = input.shape.count
    let padded = padding == 0 ? input
        : input.padded(Array(repeating: (0, 0), count: rank - 1) + [(padding, padding)], value: fill)
    let indices = (0..<kernelSize).flatMap { k in (0..<outLength).map { $0 * stride + k * dilation } }
    return padded.gathering(indices: indices, axis: rank - 1)
        .reshaped(Array(input.shape.dropLast()) + [kernelSize, outLength])
}

/// A 1-d convolution over `[N, C, L]` (or unbatched `[C, L]`) input, as PyTorch's `nn.Conv1d`.
///
/// `y[n, o, i] = bias[o] + Σ_{c in o's group, k} weight[o, c, k] · x[n, c, i·stride + k·dilation − padding]`,
/// with `outLength = (L + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1`. With `groups`
/// groups, each `outputChannels / groups` outputs see only their `inputChannels / groups` inputs.
/// Weight `[outputChannels, inputChannels / groups, kernelSize]` and bias `[outputChannels]`
/// start uniform on ±1/√(inputChannels / groups · kernelSize), PyTorch's default.
public struct Conv1d<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight), ("bias", bias as Any)] }
    /// `[outputChannels, inputChannels / groups, kernelSize]`.
    public let weight: Variable<Scalar>
    /// `[outputChannels]`, or nil without a bias.
    public let bias: Variable<Scalar>?
    /// The step between windows.
    public let stride: Int
    /// Zeros added at both ends.
    public let padding: Int
    /// The step between a window's taps.
    public let dilation: Int
    /// The number of channel groups convolved separately.
    public let groups: Int

    /// Creates a convolution with PyTorch's default initialisation, drawn from ``RandomScope``.
    ///
    /// Stops with a message if a size is not positive, `padding` is negative, or `groups` does not
    /// divide both channel counts.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        require(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && dilation > 0 && padding >= 0,
                "Conv1d: inputChannels \(inputChannels), outputChannels \(outputChannels), kernelSize \(kernelSize), "
                    + "stride \(stride), dilation \(dilation) must be positive and padding \(padding) not negative")
        require(groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
                "Conv1d: groups \(groups) must divide inputChannels \(inputChannels) and outputChannels \(outputChannels)")
        let initializer = Initializer<Scalar>.pytorchDefault(fanIn: inputChannels / groups * kernelSize)
        weight = Variable(initializer.makeTensor([outputChannels, inputChannels / groups, kernelSize]), requiresGrad: true)
        self.bias = bias ? Variable(initializer.makeTensor([outputChannels]), requiresGrad: true) : nil
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let (outputChannels, groupChannels, kernelSize) = (weight.shape[0], weight.shape[1], weight.shape[2])
        let channels = groupChannels * groups
        guard input.shape.count == 3 else {
            require(input.shape.count == 2, "Conv1d: input \(input.shape) is not [batch, \(channels), length] or [\(channels), length]")
            return self(input.expandingDims(axis: 0)).squeezed(axis: 0)
        }
        require(input.shape[1] == channels, "Conv1d: input \(input.shape) does not have \(channels) channels on axis 1")
        let batch = input.shape[0]
        let windows = slidingWindows(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                                     fill: 0, op: "Conv1d")                        // [N, C, K, outLength]
        let outLength = windows.shape[3]
        // Per group g: [outputChannels / groups, groupChannels · K] · [groupChannels · K, outLength].
        let columns = windows.reshaped([batch, groups, groupChannels * kernelSize, outLength])
        let filters = weight.reshaped([1, groups, outputChannels / groups, groupChannels * kernelSize])
        let output = matmul(filters, columns).reshaped([batch, outputChannels, outLength])
        guard let bias else { return output }
        return output + bias.reshaped([1, -1, 1])
    }
}

/// 1-d max pooling along the last axis of `[N, C, L]` (or `[C, L]`) input, as PyTorch's `nn.MaxPool1d`.
///
/// `y[…, i] = max_k x[…, i·stride + k·dilation − padding]`, padding counting as −∞, with
/// `outLength = (L + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1` (PyTorch's
/// `ceil_mode=False`). The gradient goes to the first maximum of each window.
public struct MaxPool1d<Scalar: TensorScalar>: Layer {
    public let kernelSize: Int
    /// The step between windows; PyTorch's default is `kernelSize`.
    public let stride: Int
    /// −∞ added at both ends; at most half the kernel size, as PyTorch requires.
    public let padding: Int
    /// The step between a window's taps.
    public let dilation: Int

    /// Creates the layer; `stride` defaults to `kernelSize`.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) {
        let stride = stride ?? kernelSize
        require(kernelSize > 0 && stride > 0 && dilation > 0 && padding >= 0 && 2 * padding <= kernelSize,
                "MaxPool1d: kernelSize \(kernelSize), stride \(stride), dilation \(dilation) must be positive and "
                    + "padding \(padding) between 0 and half the kernel size")
        (self.kernelSize, self.stride, self.padding, self.dilation) = (kernelSize, stride, padding, dilation)
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let rank = input.shape.count
        require(rank == 2 || rank == 3, "MaxPool1d: input \(input.shape) is not [batch, channels, length] or [channels, length]")
        return slidingWindows(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                              fill: -Scalar.infinity, op: "MaxPool1d").max(axis: rank - 1)
    }
}
