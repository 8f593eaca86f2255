import Backprop

extension LBFGS {
    /// A strong-Wolfe line search along `direction` from the current parameters: PyTorch's `_strong_wolfe`.
    ///
    /// It looks for a step t with sufficient decrease f(θ + t·d) ≤ f(θ) + c₁·t·g·d and small slope
    /// |g(θ + t·d)·d| ≤ −c₂·g·d (c₁ = 1e-4, c₂ = 0.9): first it widens t by cubic interpolation
    /// until an interval brackets such a point, then it shrinks the interval ("zoom"), making at most
    /// `maxEvaluations` evaluations past the first. The parameters are left at `start`.
    ///
    /// - Returns: the loss and gradient at the chosen step, the step, and the evaluations made.
    func searchLine(_ closure: () -> Variable<Scalar>, from start: [Tensor<Scalar>], along direction: [Scalar],
                    step initialStep: Scalar, loss: Scalar, gradient: [Scalar], slope: Scalar,
                    maxEvaluations: Int) -> (loss: Scalar, gradient: [Scalar], step: Scalar, evaluations: Int) {
        let (c1, c2): (Scalar, Scalar) = (1e-4, 0.9)
        // PyTorch's LBFGS does not pass its own tolerance_change to the line search: it keeps the default.
        let tolerance: Scalar = 1e-9
        let directionSize = maxMagnitude(direction)
        var t = initialStep
        var (newLoss, newGradient) = evaluate(closure, at: start, step: t, along: direction)
        var evaluations = 1
        var newSlope = dot(newGradient, direction)

        // The bracket: one point that satisfies the conditions, or an interval around one.
        var steps: [Scalar] = [], losses: [Scalar] = [], gradients: [[Scalar]] = [], slopes: [Scalar] = []
        var done = false
        var (previousStep, previousLoss, previousGradient, previousSlope): (Scalar, Scalar, [Scalar], Scalar) =
            (0, loss, gradient, slope)
        var iteration = 0
        while iteration < maxEvaluations {
            let overshot = newLoss > loss + c1 * t * slope || (iteration > 1 && newLoss >= previousLoss)
            if !overshot && Swift.abs(newSlope) <= -c2 * slope {
                (steps, losses, gradients, done) = ([t], [newLoss], [newGradient], true)
                break
            }
            if overshot || newSlope >= 0 {
                (steps, losses, gradients, slopes) = ([previousStep, t], [previousLoss, newLoss],
                                                      [previousGradient, newGradient], [previousSlope, newSlope])
                break
            }
            // Extrapolate: the cubic's minimum, kept within [t + 0.01·(t − t₋₁), 10·t].
            let nextStep = cubicMinimum(previousStep, previousLoss, previousSlope, t, newLoss, newSlope,
                                        bounds: (t + 0.01 * (t - previousStep), t * 10))
            (previousStep, previousLoss, previousGradient, previousSlope) = (t, newLoss, newGradient, newSlope)
            t = nextStep
            (newLoss, newGradient) = evaluate(closure, at: start, step: t, along: direction)
            evaluations += 1
            newSlope = dot(newGradient, direction)
            iteration += 1
        }
        if steps.isEmpty {  // no bracket within maxEvaluations: from 0 to the last step
            (steps, losses, gradients) = ([0, t], [loss, newLoss], [gradient, newGradient])
        }

        // Zoom: shrink the bracket [low, high] until a point satisfies the conditions.
        var insufficientProgress = false
        var (low, high) = losses[0] <= losses[losses.count - 1] ? (0, 1) : (1, 0)
        while !done && iteration < maxEvaluations {
            if Swift.abs(steps[1] - steps[0]) * directionSize < tolerance { break }
            t = cubicMinimum(steps[0], losses[0], slopes[0], steps[1], losses[1], slopes[1], bounds: nil)
            // Too close to an end twice in a row, or at an end: move a tenth of the bracket inside.
            let (lower, upper) = (Swift.min(steps[0], steps[1]), Swift.max(steps[0], steps[1]))
            let margin = 0.1 * (upper - lower)
            if Swift.min(upper - t, t - lower) < margin {
                if insufficientProgress || t >= upper || t <= lower {
                    t = Swift.abs(t - upper) < Swift.abs(t - lower) ? upper - margin : lower + margin
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            (newLoss, newGradient) = evaluate(closure, at: start, step: t, along: direction)
            evaluations += 1
            newSlope = dot(newGradient, direction)
            iteration += 1

            if newLoss > loss + c1 * t * slope || newLoss >= losses[low] {
                (steps[high], losses[high], gradients[high], slopes[high]) = (t, newLoss, newGradient, newSlope)
                (low, high) = losses[0] <= losses[1] ? (0, 1) : (1, 0)
            } else {
                if Swift.abs(newSlope) <= -c2 * slope {
                    done = true
                } else if newSlope * (steps[high] - steps[low]) >= 0 {
                    (steps[high], losses[high], gradients[high], slopes[high]) =
                        (steps[low], losses[low], gradients[low], slopes[low])
                }
                (steps[low], losses[low], gradients[low], slopes[low]) = (t, newLoss, newGradient, newSlope)
            }
        }
        return (losses[low], gradients[low], steps[low], evaluations)
    }
}

/// The minimiser of the cubic through (x₁, f₁) and (x₂, f₂) with slopes g₁ and g₂, clamped to `bounds`
/// (default: between x₁ and x₂); the bounds' midpoint when the cubic has no minimum.
func cubicMinimum<S: TensorScalar>(_ x1: S, _ f1: S, _ g1: S, _ x2: S, _ f2: S, _ g2: S, bounds: (S, S)?) -> S {
    let (lower, upper) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
    let secant: S = 3 * (f1 - f2) / (x1 - x2)
    let d1: S = g1 + g2 - secant
    let d2Squared: S = d1 * d1 - g1 * g2
    guard d2Squared >= 0 else { return (lower + upper) / 2 }
    let d2 = d2Squared.squareRoot()
    let minimum: S
    if x1 <= x2 {
        let ratio: S = (g2 + d2 - d1) / (g2 - g1 + 2 * d2)
        minimum = x2 - (x2 - x1) * ratio
    } else {
        let ratio: S = (g1 + d2 - d1) / (g1 - g2 + 2 * d2)
        minimum = x1 - (x1 - x2) * ratio
    }
    return Swift.min(Swift.max(minimum, lower), upper)
}
