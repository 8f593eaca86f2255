import Backprop
import BackpropNN

/// Sign with a straight-through gradient: +1 where x ≥ 0, −1 elsewhere, and on the way
/// back the gradient of hardtanh(x) = clamp(x, −1, 1): passed through where |x| ≤ 1, zero outside.
///
/// A primitive op defined outside the library, through `Variable(_:recordedAs:inputs:vjp:)`.
/// Sign's true derivative is 0 wherever it exists, so through it nothing upstream would
/// ever learn. The straight-through estimator (STE) lies on purpose: it differentiates
/// as if the forward had been the surrogate hardtanh. No composition of the library's
/// ops has this pair of forward and backward, so it needs a VJP of its own.
public func binarized<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> {
    let value = which(x.value.isLess(than: Tensor(0)), Tensor<S>(-1), Tensor<S>(1))    // +1 or −1
    return Variable(value, recordedAs: "binarized", inputs: [x]) { upstream, _ in
        // Written with variable ops (a constant mask), so the sweep can record it; capture x, never the output.
        let passes = abs(x.value).isLessOrEqual(to: Tensor(1)).converted(to: S.self)
        return [upstream * Variable(passes)]
    }
}

/// The surrogate that ``binarized(_:)`` differentiates as: hardtanh(x) = clamp(x, −1, 1).
public func hardTanh<S: TensorScalar>(_ x: Variable<S>) -> Variable<S> { x.clamped(min: -1, max: 1) }

/// The gradient check of ``binarized(_:)`` against its surrogate at `points`.
///
/// `checkGradients` compares the sweep's gradient of a function with central differences of
/// its value. For the STE the two come from different functions (its value is sign's, its
/// gradient hardtanh's), so the checked function takes its value from hardtanh and its gradient
/// from `binarized` alone: binarized(x) + (hardTanh(x) − binarized(x)), with the bracket detached.
/// Keep `points` away from ±1, where hardtanh has kinks.
public func checkStraightThroughGradient(at points: Tensor<Double>) -> GradientCheckReport {
    checkGradients(at: [points]) { x in
        binarized(x[0]) + (hardTanh(x[0]) - binarized(x[0])).detached()
    }
}

/// ``binarized(_:)`` as a layer, for `Sequential`.
public struct Binarize<Scalar: TensorScalar>: Layer {
    /// Creates the layer; it has no parameters.
    public init() {}

    /// `binarized(input)`.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { binarized(input) }
}

/// hardtanh as a layer: the smooth-enough network that a binarised one is trained as if it were.
public struct HardTanh<Scalar: TensorScalar>: Layer {
    /// Creates the layer; it has no parameters.
    public init() {}

    /// `hardTanh(input)`.
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> { hardTanh(input) }
}
