import Backprop

/// A fully connected layer: `input · weightᵀ + bias`, with weight of shape [out, in] as in PyTorch.
///
/// Input `[…, inputSize]`, output `[…, outputSize]`. Weight and bias start
/// uniform on ±1/√inputSize, PyTorch's default.
public struct Linear<Scalar: TensorScalar>: Layer {
    /// `[outputSize, inputSize]`.
    public let weight: Variable<Scalar>
    /// `[outputSize]`, or nil without a bias.
    public let bias: Variable<Scalar>?

    /// Creates a layer with PyTorch's default initialisation, drawn from ``RandomScope``.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true) {
        let initializer = Initializer<Scalar>.pytorchDefault(fanIn: inputSize)
        self.init(weight: initializer.makeTensor([outputSize, inputSize]),
                  bias: bias ? initializer.makeTensor([outputSize]) : nil)
    }

    /// Creates a layer from given weights, `[out, in]`, and an optional bias, `[out]`.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) {
        self.weight = Variable(weight, requiresGrad: true)
        self.bias = bias.map { Variable($0, requiresGrad: true) }
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        linear(input, weight: weight, bias: bias)
    }
}

/// Layers applied one after another.
///
/// Its parameters are named by position (`0.weight`, `2.bias`), as in
/// PyTorch's `nn.Sequential`.
public struct Sequential<Scalar: TensorScalar>: Layer, CustomReflectable {
    /// The layers, in order.
    public let layers: [any Layer<Scalar>]

    /// Chains `layers`.
    public init(_ layers: any Layer<Scalar>...) { self.layers = layers }

    /// Chains `layers`.
    public init(layers: [any Layer<Scalar>]) { self.layers = layers }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        layers.reduce(input) { x, layer in layer(x) }
    }

    /// Reflects the layers as children named "0", "1", …
    public var customMirror: Mirror {
        Mirror(self, children: layers.enumerated().map { (label: String($0.offset), value: $0.element as Any) })
    }
}
