import Backprop

// The spellings before the one vocabulary (`inputChannels`, `kernelSize`, `Conv2d`): kept so
// that old code compiles, with a warning that names the new spelling.

/// The former name of ``Conv2d``.
@available(*, deprecated, renamed: "Conv2d")
public typealias Conv2D<Scalar: TensorScalar> = Conv2d<Scalar>

/// The former name of ``MaxPool2d``.
@available(*, deprecated, renamed: "MaxPool2d")
public typealias MaxPool2D<Scalar: TensorScalar> = MaxPool2d<Scalar>

/// The former name of ``AvgPool2d``.
@available(*, deprecated, renamed: "AvgPool2d")
public typealias AvgPool2D<Scalar: TensorScalar> = AvgPool2d<Scalar>

extension Conv2d {
    /// Creates a convolution with the former argument labels.
    @available(*, deprecated, message: "use Conv2d(inputChannels:outputChannels:kernelSize:stride:padding:bias:)")
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        self.init(inputChannels: inChannels, outputChannels: outChannels, kernelSize: kernelSize, stride: stride,
                  padding: padding, bias: bias)
    }
}

extension MaxPool2d {
    /// Creates the layer with the former argument label.
    @available(*, deprecated, renamed: "init(kernelSize:stride:)")
    public init(size: Int, stride: Int? = nil) { self.init(kernelSize: size, stride: stride) }

    /// The former name of ``kernelSize``.
    @available(*, deprecated, renamed: "kernelSize")
    public var size: Int { kernelSize }
}

extension AvgPool2d {
    /// Creates the layer with the former argument label.
    @available(*, deprecated, renamed: "init(kernelSize:stride:)")
    public init(size: Int, stride: Int? = nil) { self.init(kernelSize: size, stride: stride) }

    /// The former name of ``kernelSize``.
    @available(*, deprecated, renamed: "kernelSize")
    public var size: Int { kernelSize }
}
