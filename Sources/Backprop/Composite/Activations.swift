// Activations composed from primitives: the sweep differentiates them.

/// How ``gelu(_:approximation:)`` computes Φ, the standard normal distribution function.
public enum GELUApproximation: Sendable, Equatable {
    /// The exact form, with the error function (PyTorch's `approximate='none'`).
    case none
    /// `0.5 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))` (PyTorch's `approximate='tanh'`).
    case tanh
}

/// The Gaussian error linear unit `x · Φ(x)`: by default `x/2 · (1 + erf(x/√2))`, PyTorch's exact
/// form; with `.tanh`, `x/2 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
@specialized(where S == Float)
@specialized(where S == Double)
public func gelu<S: TensorScalar>(_ x: Variable<S>, approximation: GELUApproximation = .none) -> Variable<S> {
    switch approximation {
    case .none: return x * 0.5 * (1 + erf(x * S(0.7071067811865476)))
    case .tanh: return x * 0.5 * (1 + tanh((x + x * x * x * S(0.044715)) * S(0.7978845608028654)))
    }
}

/// The sigmoid linear unit `x · σ(x)`, also called swish.
@specialized(where S == Float)
@specialized(where S == Double)
public func silu<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> { x * sigmoid(x) }

/// The exponential linear unit: `x` for x > 0, `alpha · (eˣ − 1)` otherwise.
///
/// The exponential is taken of the negative part alone, so a large positive x cannot overflow
/// it (an infinite unused branch would make the gradient NaN). At x = 0 the slope is `alpha`
/// and the second derivative 0, as PyTorch's: a linear term, zero away from 0, carries the slope.
@specialized(where S == Float)
@specialized(where S == Double)
public func elu<S: TensorScalar>(_ x: Variable<S>, alpha: S = 1) -> Variable<S> {
    let negativePart = x.filling(where: x.value.isGreaterOrEqual(to: Tensor(0)), with: 0)
    let negative = (exp(negativePart) - 1 + (x - negativePart)) * alpha
    return which(x.value.isGreater(than: Tensor(0)), x, negative)
}

/// Mish, `x · tanh(softplus(x))`.
@specialized(where S == Float)
@specialized(where S == Double)
public func mish<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> { x * tanh(softplus(x)) }

/// HardTanh, `x` limited to `[minimum, maximum]`, with gradient 1 strictly inside and 0 at the
/// bounds and outside, as PyTorch's `hardtanh`.
@specialized(where S == Float)
@specialized(where S == Double)
public func hardtanh<S: TensorScalar>(_ x: Variable<S>, minimum: S = -1, maximum: S = 1) -> Variable<S> {
    x.clamped(min: minimum, max: maximum)
}
