import Backprop

/// A 2-d transposed convolution over NCHW input: `convTranspose2d(input, weight) + bias`, as
/// PyTorch's `nn.ConvTranspose2d`.
///
/// The adjoint of a `Conv2d` with the same sizes: each input pixel spreads its weighted window
/// onto the output, whose height is `(height − 1)·sH − 2·pH + dH·(kH − 1) + outputPaddingH + 1`
/// (likewise the width). Weight `[inputChannels, outputChannels / groups, kH, kW]` and bias
/// `[outputChannels]` start uniform on ±1/√(outputChannels / groups · kH · kW): PyTorch computes
/// the fan-in from the weight's second axis.
///
/// Every size is one `Int` for both axes, or a `(height, width)` pair.
public struct ConvTranspose2d<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight), ("bias", bias as Any)] }
    /// `[inputChannels, outputChannels / groups, kernelHeight, kernelWidth]`.
    public let weight: Variable<Scalar>
    /// `[outputChannels]`, or nil without a bias.
    public let bias: Variable<Scalar>?
    /// The stride of the convolution this layer transposes: the step between the output windows.
    public let stride: (height: Int, width: Int)
    /// The padding of the convolution this layer transposes: rows and columns cropped from each side.
    public let padding: (height: Int, width: Int)
    /// Rows and columns added after the output, smaller than the stride or the dilation.
    public let outputPadding: (height: Int, width: Int)
    /// The step between a window's taps.
    public let dilation: (height: Int, width: Int)
    /// The number of channel groups convolved separately.
    public let groups: Int

    /// Creates a transposed convolution with square sizes and PyTorch's default initialisation,
    /// drawn from ``RandomScope``.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: (kernelSize, kernelSize),
                  stride: (stride, stride), padding: (padding, padding), outputPadding: (outputPadding, outputPadding),
                  dilation: (dilation, dilation), groups: groups, bias: bias)
    }

    /// Creates a transposed convolution with `(height, width)` sizes and PyTorch's default
    /// initialisation, drawn from ``RandomScope``.
    ///
    /// Stops with a message if a size is not positive, `padding` is negative, `outputPadding` is
    /// not smaller than the stride or the dilation, or `groups` does not divide both channel counts.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                groups: Int = 1, bias: Bool = true) {
        requireConvolutionSizes("ConvTranspose2d", inputChannels: inputChannels, outputChannels: outputChannels,
                                kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups)
        require(outputPadding.0 >= 0 && outputPadding.1 >= 0
                    && outputPadding.0 < max(stride.0, dilation.0) && outputPadding.1 < max(stride.1, dilation.1),
                "ConvTranspose2d: outputPadding \(outputPadding) must be smaller than stride \(stride) or dilation \(dilation)")
        let initializer = Initializer<Scalar>.pytorchDefault(fanIn: outputChannels / groups * kernelSize.0 * kernelSize.1)
        weight = Variable(initializer.makeTensor([inputChannels, outputChannels / groups, kernelSize.0, kernelSize.1]),
                          requiresGrad: true)
        self.bias = bias ? Variable(initializer.makeTensor([outputChannels]), requiresGrad: true) : nil
        (self.stride, self.padding, self.outputPadding) = (stride, padding, outputPadding)
        (self.dilation, self.groups) = (dilation, groups)
    }

    /// Applies the layer to `[batch, inputChannels, height, width]` (or unbatched
    /// `[inputChannels, height, width]`) input.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        if input.shape.count == 3 { return self(input.expandingDims(axis: 0)).squeezed(axis: 0) }
        let output = convTranspose2d(input, weight, stride: stride, padding: padding, outputPadding: outputPadding,
                                     dilation: dilation, groups: groups)
        guard let bias else { return output }
        return output + bias.reshaped([1, -1, 1, 1])
    }
}
