import Backprop

/// How to fill a new parameter tensor. Random kinds draw from ``RandomScope``.
///
/// Fan-in and fan-out follow PyTorch: for a weight `[out, in, k…]`,
/// fan-in is `in · Πk` and fan-out is `out · Πk`.
public enum Initializer<Scalar: TensorScalar>: Sendable {
    case zeros
    case ones
    case constant(Scalar)
    /// Uniform on `[low, high)`.
    case uniform(low: Scalar, high: Scalar)
    /// Normal with the given mean and standard deviation.
    case normal(mean: Scalar, standardDeviation: Scalar)
    /// Glorot: uniform on ±gain·√(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Scalar = 1)
    /// Glorot: normal with standard deviation gain·√(2 / (fanIn + fanOut)).
    case xavierNormal(gain: Scalar = 1)
    /// He: uniform on ±gain·√(3 / fanIn), gain = √(2 / (1 + negativeSlope²)).
    case kaimingUniform(negativeSlope: Scalar = 0)
    /// He: normal with standard deviation gain / √fanIn, gain = √(2 / (1 + negativeSlope²)).
    case kaimingNormal(negativeSlope: Scalar = 0)

    /// A new tensor of `shape` filled this way.
    public func makeTensor(_ shape: [Int]) -> Tensor<Scalar> {
        var generator = RandomScope.makeGenerator()
        let (fanIn, fanOut) = Initializer.fans(shape)
        switch self {
        case .zeros: return .zeros(shape)
        case .ones: return .ones(shape)
        case .constant(let value): return Tensor(repeating: value, shape: shape)
        case let .uniform(low, high): return .uniform(shape, low: low, high: high, using: &generator)
        case let .normal(mean, deviation): return .normal(shape, mean: mean, standardDeviation: deviation, using: &generator)
        case .xavierUniform(let gain):
            let bound = gain * (6 / Scalar(fanIn + fanOut)).squareRoot()
            return .uniform(shape, low: -bound, high: bound, using: &generator)
        case .xavierNormal(let gain):
            let deviation = gain * (2 / Scalar(fanIn + fanOut)).squareRoot()
            return .normal(shape, standardDeviation: deviation, using: &generator)
        case .kaimingUniform(let slope):
            let bound = Initializer.gain(slope) * (3 / Scalar(fanIn)).squareRoot()
            return .uniform(shape, low: -bound, high: bound, using: &generator)
        case .kaimingNormal(let slope):
            return .normal(shape, standardDeviation: Initializer.gain(slope) / Scalar(fanIn).squareRoot(), using: &generator)
        }
    }

    /// PyTorch's default for Linear and Conv weights and biases: uniform on ±1/√fanIn.
    public static func pytorchDefault(fanIn: Int) -> Initializer {
        let bound = 1 / Scalar(Swift.max(fanIn, 1)).squareRoot()
        return .uniform(low: -bound, high: bound)
    }

    static func gain(_ negativeSlope: Scalar) -> Scalar { (2 / (1 + negativeSlope * negativeSlope)).squareRoot() }

    static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        default:
            let receptive = shape.dropFirst(2).reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }
}
