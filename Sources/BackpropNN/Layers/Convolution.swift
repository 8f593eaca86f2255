import Backprop

/// A 2-d convolution over NCHW input: `conv2d(input, weight) + bias`, as PyTorch's `nn.Conv2d`.
///
/// Weight `[outChannels, inChannels, kernelSize, kernelSize]` and bias
/// `[outChannels]` start uniform on ±1/√(inChannels · kernelSize²), PyTorch's default.
public struct Conv2D<Scalar: TensorScalar>: Layer {
    /// `[outChannels, inChannels, kernelSize, kernelSize]`.
    public let weight: Variable<Scalar>
    /// `[outChannels]`, or nil without a bias.
    public let bias: Variable<Scalar>?
    /// The step between windows.
    public let stride: Int
    /// Zeros added on every side.
    public let padding: Int

    /// Creates a convolution with PyTorch's default initialisation, drawn from ``RandomScope``.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        let initializer = Initializer<Scalar>.pytorchDefault(fanIn: inChannels * kernelSize * kernelSize)
        weight = Variable(initializer.makeTensor([outChannels, inChannels, kernelSize, kernelSize]), requiresGrad: true)
        self.bias = bias ? Variable(initializer.makeTensor([outChannels]), requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let output = conv2d(input, weight, stride: stride, padding: padding)
        guard let bias else { return output }
        return output + bias.reshaped([1, -1, 1, 1])
    }
}

/// 2-d max pooling over `size × size` windows, as PyTorch's `nn.MaxPool2d`.
public struct MaxPool2D<Scalar: TensorScalar>: Layer {
    public let size: Int
    public let stride: Int
    /// Creates the layer; `stride` defaults to `size`.
    public init(size: Int, stride: Int? = nil) { (self.size, self.stride) = (size, stride ?? size) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { maxPool2d(input, size: size, stride: stride) }
}

/// 2-d average pooling over `size × size` windows, as PyTorch's `nn.AvgPool2d`.
public struct AvgPool2D<Scalar: TensorScalar>: Layer {
    public let size: Int
    public let stride: Int
    /// Creates the layer; `stride` defaults to `size`.
    public init(size: Int, stride: Int? = nil) { (self.size, self.stride) = (size, stride ?? size) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { avgPool2d(input, size: size, stride: stride) }
}
