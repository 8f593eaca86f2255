import Backprop

/// The smooth L1 loss, as PyTorch's `smooth_l1_loss`: `reduce(½d²/beta)` where `|d| < beta`, else
/// `reduce(|d| − ½beta)`, with `d = predicted − expected`.
///
/// `beta = 0` is ``l1Loss(predicted:expected:reduction:)``. At `|d| = beta` the linear branch applies,
/// so the gradient there is `sign(d)`, as in PyTorch. With `beta = delta` it is ``huberLoss(predicted:expected:delta:reduction:)``
/// divided by `delta`.
///
/// - Parameters:
///   - predicted: any shape.
///   - expected: shaped like `predicted`.
///   - beta: where the quadratic part ends, `≥ 0`.
@specialized(where S == Float)
@specialized(where S == Double)
public func smoothL1Loss<S: TensorScalar>(predicted: Variable<S>, expected: Variable<S>, beta: S = 1,
                                          reduction: Reduction = .mean) -> Variable<S> {
    require(predicted.shape == expected.shape,
            "smoothL1Loss: predictions \(predicted.shape) and targets \(expected.shape) differ in shape")
    require(beta >= 0, "smoothL1Loss: beta \(beta) is negative")
    let difference = predicted - expected
    let magnitude = abs(difference)
    // Not the quadratic branch at beta = 0: its 1/beta would make the unpicked branch's gradient NaN.
    guard beta > 0 else { return reduction.apply(magnitude) }
    let quadratic = difference * difference * (0.5 / beta)
    let linear = magnitude - beta * 0.5
    return reduction.apply(which(magnitude.value.isLess(than: Tensor(beta)), quadratic, linear))
}
