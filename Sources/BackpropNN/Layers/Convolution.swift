import Backprop

/// A 2-d convolution over NCHW input: `conv2d(input, weight) + bias`, as PyTorch's `nn.Conv2d`.
///
/// `y[n, o, i, j] = bias[o] + Σ_{c in o's group, a, b} weight[o, c, a, b] · x[n, c, i·sH − pH + a·dH, j·sW − pW + b·dW]`,
/// with `outHeight = (height + 2·pH − dH·(kH − 1) − 1) / sH + 1` (and likewise for the width).
/// With `groups` groups, each `outputChannels / groups` outputs see only their
/// `inputChannels / groups` inputs; `groups == inputChannels` is a depthwise convolution.
/// Weight `[outputChannels, inputChannels / groups, kH, kW]` and bias `[outputChannels]` start
/// uniform on ±1/√(inputChannels / groups · kH · kW), PyTorch's default.
///
/// Every size is one `Int` for both axes, or a `(height, width)` pair:
/// `Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: (3, 5), stride: (2, 1))`.
public struct Conv2d<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight), ("bias", bias as Any)] }
    /// `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
    public let weight: Variable<Scalar>
    /// `[outputChannels]`, or nil without a bias.
    public let bias: Variable<Scalar>?
    /// The step between windows.
    public let stride: (height: Int, width: Int)
    /// Zeros added before and after each axis.
    public let padding: (height: Int, width: Int)
    /// The step between a window's taps.
    public let dilation: (height: Int, width: Int)
    /// The number of channel groups convolved separately.
    public let groups: Int

    /// Creates a convolution with square sizes and PyTorch's default initialisation, drawn from ``RandomScope``.
    ///
    /// Stops with a message if a size is not positive, `padding` is negative, or `groups` does not
    /// divide both channel counts.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: (kernelSize, kernelSize),
                  stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation),
                  groups: groups, bias: bias)
    }

    /// Creates a convolution with `(height, width)` sizes and PyTorch's default initialisation,
    /// drawn from ``RandomScope``.
    ///
    /// Stops with a message if a size is not positive, `padding` is negative, or `groups` does not
    /// divide both channel counts.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true) {
        requireConvolutionSizes("Conv2d", inputChannels: inputChannels, outputChannels: outputChannels,
                                kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let initializer = Initializer<Scalar>.pytorchDefault(fanIn: inputChannels / groups * kernelSize.0 * kernelSize.1)
        weight = Variable(initializer.makeTensor([outputChannels, inputChannels / groups, kernelSize.0, kernelSize.1]),
                          requiresGrad: true)
        self.bias = bias ? Variable(initializer.makeTensor([outputChannels]), requiresGrad: true) : nil
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    /// Applies the convolution to `[batch, inputChannels, height, width]` (or unbatched
    /// `[inputChannels, height, width]`) input.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        if input.shape.count == 3 { return self(input.expandingDims(axis: 0)).squeezed(axis: 0) }
        let output = conv2d(input, weight, stride: stride, padding: padding, dilation: dilation, groups: groups)
        guard let bias else { return output }
        return output + bias.reshaped([1, -1, 1, 1])
    }
}

/// Stops with a message naming the layer if a convolution's sizes are out of range.
func requireConvolutionSizes(_ layer: String, inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int),
                             stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int) {
    let positive = [inputChannels, outputChannels, kernelSize.0, kernelSize.1, stride.0, stride.1, dilation.0, dilation.1]
    require(positive.allSatisfy { $0 > 0 } && padding.0 >= 0 && padding.1 >= 0,
            "\(layer): inputChannels \(inputChannels), outputChannels \(outputChannels), kernelSize \(kernelSize), "
                + "stride \(stride), dilation \(dilation) must be positive and padding \(padding) not negative")
    require(groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
            "\(layer): groups \(groups) must divide inputChannels \(inputChannels) and outputChannels \(outputChannels)")
}

/// 2-d max pooling over `kernelSize × kernelSize` windows of NCHW input, as PyTorch's `nn.MaxPool2d`.
///
/// `padding` adds −∞ on every side, at most half the kernel size; `outHeight =
/// (height + 2·padding − kernelSize) / stride + 1` (PyTorch's `ceil_mode=False`). The gradient
/// goes to the first maximum of each window.
public struct MaxPool2d<Scalar: TensorScalar>: Layer {
    /// The window's side.
    public let kernelSize: Int
    /// The step between windows; PyTorch's default is `kernelSize`.
    public let stride: Int
    /// −∞ added on every side.
    public let padding: Int

    /// Creates the layer; `stride` defaults to `kernelSize`.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        maxPool2d(input, size: kernelSize, stride: stride, padding: padding)
    }
}

/// 2-d average pooling over `kernelSize × kernelSize` windows of NCHW input, as PyTorch's `nn.AvgPool2d`.
///
/// `padding` adds zeros on every side, at most half the kernel size, and they count in each
/// window's mean (PyTorch's default `count_include_pad=True`).
public struct AvgPool2d<Scalar: TensorScalar>: Layer {
    /// The window's side.
    public let kernelSize: Int
    /// The step between windows; PyTorch's default is `kernelSize`.
    public let stride: Int
    /// Zeros added on every side.
    public let padding: Int

    /// Creates the layer; `stride` defaults to `kernelSize`.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        avgPool2d(input, size: kernelSize, stride: stride, padding: padding)
    }
}
