import Backprop

// Activation layers: parameter-free wrappers of the core functions, for `Sequential`.

/// max(x, 0), as a layer.
public struct ReLU<Scalar: TensorScalar>: Layer {
    public init() {}
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { relu(input) }
}

/// x for x > 0, `negativeSlope · x` otherwise, as a layer.
public struct LeakyReLU<Scalar: TensorScalar>: Layer {
    /// The slope for negative inputs.
    public let negativeSlope: Scalar
    public init(negativeSlope: Scalar = 0.01) { self.negativeSlope = negativeSlope }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { leakyRelu(input, negativeSlope: negativeSlope) }
}

/// The hyperbolic tangent, as a layer.
public struct Tanh<Scalar: TensorScalar>: Layer {
    public init() {}
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { tanh(input) }
}

/// The logistic function 1 / (1 + e⁻ˣ), as a layer.
public struct Sigmoid<Scalar: TensorScalar>: Layer {
    public init() {}
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { sigmoid(input) }
}

/// The Gaussian error linear unit x·Φ(x), as a layer: exact, or with `approximation: .tanh`.
public struct GELU<Scalar: TensorScalar>: Layer {
    /// How Φ is computed.
    public let approximation: GELUApproximation
    public init(approximation: GELUApproximation = .none) { self.approximation = approximation }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { gelu(input, approximation: approximation) }
}

/// The sigmoid linear unit x·σ(x), as a layer.
public struct SiLU<Scalar: TensorScalar>: Layer {
    public init() {}
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { silu(input) }
}

/// The exponential linear unit, x for x > 0 and `alpha · (eˣ − 1)` otherwise, as a layer.
public struct ELU<Scalar: TensorScalar>: Layer {
    /// The scale of the negative part.
    public let alpha: Scalar
    public init(alpha: Scalar = 1) { self.alpha = alpha }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { elu(input, alpha: alpha) }
}

/// Mish, x·tanh(softplus(x)), as a layer.
public struct Mish<Scalar: TensorScalar>: Layer {
    public init() {}
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { mish(input) }
}

/// HardTanh, x limited to `[minimum, maximum]`, as a layer.
public struct Hardtanh<Scalar: TensorScalar>: Layer {
    /// The bounds.
    public let minimum: Scalar, maximum: Scalar
    public init(minimum: Scalar = -1, maximum: Scalar = 1) { (self.minimum, self.maximum) = (minimum, maximum) }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { hardtanh(input, minimum: minimum, maximum: maximum) }
}

/// log(1 + eˣ), as a layer.
public struct Softplus<Scalar: TensorScalar>: Layer {
    public init() {}
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { softplus(input) }
}

/// The softmax along an axis, as a layer.
public struct Softmax<Scalar: TensorScalar>: Layer {
    /// The axis that sums to 1.
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { softmax(input, axis: axis) }
}

/// The log-softmax along an axis, as a layer.
public struct LogSoftmax<Scalar: TensorScalar>: Layer {
    /// The axis normalised over.
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { logSoftmax(input, axis: axis) }
}

/// Flattens every axis from `startAxis` on into one: `[N, C, H, W]` → `[N, C·H·W]` by default.
public struct Flatten<Scalar: TensorScalar>: Layer {
    /// The first axis to merge.
    public let startAxis: Int
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let start = startAxis < 0 ? startAxis + input.shape.count : startAxis
        require(start >= 0 && start < input.shape.count,
                "Flatten: start axis \(startAxis) is out of range for shape \(input.shape)")
        return input.reshaped(Array(input.shape[..<start]) + [-1])
    }
}

/// Randomly zeroes elements with probability `probability` while training, scaling the rest by
/// 1 / (1 − probability) so that the expected value is unchanged; the identity in evaluation mode.
public struct Dropout<Scalar: TensorScalar>: Layer, ExplicitStateNames {
    /// The checkpoint keys: PyTorch's `state_dict` names.
    public var stateEntries: [(key: String, value: Any)] { [("mode", mode), ("generator", generator)] }
    /// The probability of zeroing each element.
    public let probability: Scalar
    /// Training or evaluation; set by the model's `train()` and `eval()`.
    public let mode = TrainingMode()
    /// The generator the masks come from; each call draws new ones, and checkpoints save its state.
    public let generator: RandomGenerator

    /// Creates a dropout layer whose masks come from a generator seeded with `seed`
    /// (by default, a seed drawn from ``RandomScope``; none is drawn when `probability` is 0).
    public init(probability: Scalar = 0.5, seed: UInt64? = nil) {
        require(probability >= 0 && probability < 1, "Dropout: probability \(probability) is not in [0, 1)")
        self.probability = probability
        // A layer that never drops draws no seed, so adding it (a transformer layer with dropout 0) leaves
        // the initialisation of everything made after it unchanged.
        generator = RandomGenerator(seed: seed ?? (probability == 0 ? 0 : nil))
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        guard mode.isTraining, probability > 0 else { return input }
        return input * generator.dropoutMask(input.shape, probability: probability)
    }
}
