// Activations composed from primitives: the sweep differentiates them.

/// The Gaussian error linear unit `x · Φ(x) = x/2 · (1 + erf(x/√2))`, PyTorch's default (exact) form.
@specialized(where S == Float)
@specialized(where S == Double)
public func gelu<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    x * 0.5 * (1 + erf(x * S(0.7071067811865476)))
}
