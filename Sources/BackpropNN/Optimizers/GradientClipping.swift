import Backprop

/// Scales all gradients together so that their joint L2 norm is at most `maxNorm`: PyTorch's `clip_grad_norm_`.
///
///     n = √(Σ over every gradient element g²)
///     g ← g · maxNorm / (n + 10⁻⁶)      when that factor is below 1
///
/// Parameters without a gradient are skipped.
///
/// - Parameters:
///   - parameters: the variables whose gradients to clip.
///   - maxNorm: the largest norm allowed.
/// - Returns: n, the norm before clipping.
@discardableResult
@specialized(where S == Float)
@specialized(where S == Double)
public func clipGradientNorm<S: TensorScalar>(_ parameters: [Variable<S>], maxNorm: S) -> S {
    let norm = parameters.reduce(S(0)) { total, parameter in
        guard let gradient = parameter.grad else { return total }
        return total + (gradient * gradient).sum().scalar
    }.squareRoot()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for parameter in parameters { parameter.grad = parameter.grad.map { $0 * factor } }
    }
    return norm
}

/// Clamps every gradient element to [−maxValue, maxValue]: PyTorch's `clip_grad_value_`.
///
///     g ← min(max(g, −maxValue), maxValue)
///
/// Parameters without a gradient are skipped.
///
/// - Parameters:
///   - parameters: the variables whose gradients to clip.
///   - maxValue: the largest magnitude allowed, non-negative.
@specialized(where S == Float)
@specialized(where S == Double)
public func clipGradientValue<S: TensorScalar>(_ parameters: [Variable<S>], maxValue: S) {
    require(maxValue >= 0, "clipGradientValue: maxValue must be non-negative, but is \(maxValue)")
    for parameter in parameters { parameter.grad = parameter.grad.map { $0.clamped(min: -maxValue, max: maxValue) } }
}
