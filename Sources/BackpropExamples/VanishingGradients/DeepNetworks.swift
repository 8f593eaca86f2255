import Backprop
import BackpropNN

/// The deep MLPs that the vanishing-gradients example compares: the same depth and width,
/// different activations, initialisations and architectures.
public enum DeepNetwork: String, CaseIterable, Sendable {
    /// Sigmoid after every hidden layer, PyTorch's default initialisation (uniform ±1/√n, small):
    /// each layer passes back at most a quarter of the gradient (σ′ ≤ 1/4) times a weight gain below 1.
    case sigmoid
    /// Tanh after every hidden layer, PyTorch's default initialisation: tanh′(0) = 1, but the
    /// small weights still shrink the gradient at each layer.
    case tanh
    /// ReLU after every hidden layer, Kaiming (He) normal initialisation, N(0, 2/n): the
    /// variance of activations and gradients is kept from layer to layer.
    case reluKaiming = "relu-kaiming"
    /// Tanh after a LayerNorm in every hidden layer, default initialisation: normalisation undoes
    /// the weights' shrinking, in the forward pass and so in the backward pass. (It does not rescue
    /// sigmoid: σ′ ≤ 1/4, and its outputs' mean of 1/2 carries the forward signal but no gradient.)
    case tanhLayerNorm = "tanh-layernorm"
    /// Tanh in residual blocks h ← h + tanh(W·h + b), default initialisation: the identity path
    /// carries the gradient past every block unchanged.
    case tanhResidual = "tanh-residual"

    /// A short description for legends and printed tables.
    public var title: String {
        switch self {
        case .sigmoid: "sigmoid, default init"
        case .tanh: "tanh, default init"
        case .reluKaiming: "ReLU, Kaiming init"
        case .tanhLayerNorm: "tanh + LayerNorm"
        case .tanhResidual: "tanh, residual"
        }
    }

    /// A network of `depth` linear layers: `inputSize` → `width`, then `depth − 2` hidden
    /// layers `width` → `width`, then `width` → `outputSize` logits, built with `seed`.
    public func makeModel(depth: Int, width: Int, inputSize: Int, outputSize: Int, seed: UInt64) -> Sequential<Float> {
        require(depth >= 2, "DeepNetwork: depth must be at least 2, but is \(depth)")
        return withRandomSeed(seed) {
            var layers: [any Layer<Float>] = [hiddenLayer(inputSize, width)]
            layers += activation(width: width)
            for _ in 0..<(depth - 2) {
                if self == .tanhResidual {
                    layers.append(ResidualBlock(Sequential(hiddenLayer(width, width), Tanh())))
                } else {
                    layers.append(hiddenLayer(width, width))
                    layers += activation(width: width)
                }
            }
            layers.append(Linear(inputSize: width, outputSize: outputSize))
            return Sequential(layers: layers)
        }
    }

    /// A hidden linear layer, initialised as this network's kind asks.
    private func hiddenLayer(_ inputSize: Int, _ outputSize: Int) -> Linear<Float> {
        guard self == .reluKaiming else { return Linear(inputSize: inputSize, outputSize: outputSize) }
        return Linear(weight: Initializer.kaimingNormal().makeTensor([outputSize, inputSize]), bias: .zeros([outputSize]))
    }

    /// What follows a hidden linear layer of `width` outputs.
    private func activation(width: Int) -> [any Layer<Float>] {
        switch self {
        case .sigmoid: [Sigmoid()]
        case .tanh, .tanhResidual: [Tanh()]
        case .reluKaiming: [ReLU()]
        case .tanhLayerNorm: [LayerNorm(featureCount: width), Tanh()]
        }
    }
}

/// `input + body(input)`: a residual connection around `body`, which keeps the input's shape.
public struct ResidualBlock<Scalar: TensorScalar>: Layer {
    /// The layers the shortcut goes around.
    public let body: Sequential<Scalar>

    public init(_ body: Sequential<Scalar>) { self.body = body }

    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { input + body(input) }
}

/// A deep ReLU network whose weights start `scale` times larger than Kaiming's, N(0, scale²·2/n), zero
/// biases: each layer multiplies the activations, and the gradients, by about `scale`, so they explode.
///
/// - Parameters:
///   - depth: the number of linear layers, at least 2.
///   - scale: the factor over Kaiming's standard deviation.
public func makeLargeInitNetwork(depth: Int, width: Int, inputSize: Int, outputSize: Int, scale: Float,
                                 seed: UInt64) -> Sequential<Float> {
    require(depth >= 2, "makeLargeInitNetwork: depth must be at least 2, but is \(depth)")
    return withRandomSeed(seed) {
        func dense(_ input: Int, _ output: Int) -> Linear<Float> {
            let deviation = scale * (2 / Float(input)).squareRoot()
            return Linear(weight: Initializer.normal(mean: 0, standardDeviation: deviation).makeTensor([output, input]),
                          bias: .zeros([output]))
        }
        var layers: [any Layer<Float>] = [dense(inputSize, width), ReLU()]
        for _ in 0..<(depth - 2) { layers += [dense(width, width), ReLU()] }
        layers.append(dense(width, outputSize))
        return Sequential(layers: layers)
    }
}

extension Module {
    /// The names of the layers that hold a weight matrix (the linear layers), first to last:
    /// the x axis of a gradient-norm-by-depth chart, the same for every network of one depth.
    public func linearLayerNames() -> [String] {
        namedParameters().filter { $0.name.hasSuffix("weight") && $0.parameter.shape.count == 2 }
            .map { String($0.name.dropLast(".weight".count)) }
    }
}
