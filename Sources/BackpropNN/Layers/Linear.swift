import Backprop

/// A fully connected layer: `input · weightᵀ + bias`, with weight of shape [out, in] as in PyTorch.
///
/// Input `[…, inputSize]`, output `[…, outputSize]`. Weight and bias start
/// uniform on ±1/√inputSize, PyTorch's default.
public struct Linear<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("weight", weight), ("bias", bias as Any)] }
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
/// PyTorch's `nn.Sequential`. A ``Linear`` followed by ``ReLU`` or ``Tanh`` runs as one
/// fused bias-and-activation kernel (`linear(_:weight:bias:activation:)`): the same values
/// and gradients, one pass and one tensor fewer.
public struct Sequential<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The layers, in order.
    public let layers: [any Layer<Scalar>]

    /// Chains `layers`.
    public init(_ layers: any Layer<Scalar>...) { self.layers = layers }

    /// Chains `layers`.
    public init(layers: [any Layer<Scalar>]) { self.layers = layers }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        var x = input
        var index = layers.startIndex
        while index < layers.endIndex {
            if let dense = layers[index] as? Linear<Scalar>, index + 1 < layers.endIndex,
               let activation = Self.fusedActivation(layers[index + 1]) {
                x = linear(x, weight: dense.weight, bias: dense.bias, activation: activation)
                index += 2
            } else {
                x = layers[index](x)
                index += 1
            }
        }
        return x
    }

    /// The activation `linear` can fuse for this layer, if it is one.
    private static func fusedActivation(_ layer: any Layer<Scalar>) -> LinearActivation? {
        if layer is ReLU<Scalar> { return .relu }
        if layer is Tanh<Scalar> { return .tanh }
        return nil
    }

    /// The checkpoint keys: each layer's under its position, "0", "1", …, as in PyTorch.
    public var stateEntries: [(key: String, value: Any)] {
        layers.enumerated().map { (key: String($0.offset), value: $0.element as Any) }
    }
}
