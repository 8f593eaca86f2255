/// How far backpropagated gradients are from central differences, per input.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
    /// The worst errors over the elements of one input.
    public struct InputErrors: Sendable {
        /// The largest |analytic − numeric| over the elements.
        public let maxAbsoluteError: Double
        /// The largest |analytic − numeric| / max(1, |analytic|, |numeric|): relative for
        /// gradients larger than 1, absolute for smaller ones, so that near-zero gradients do not inflate it.
        public let maxRelativeError: Double
    }

    /// One entry per input, in order.
    public let inputs: [InputErrors]

    /// The worst absolute error over all inputs.
    public var maxAbsoluteError: Double { inputs.map(\.maxAbsoluteError).max() ?? 0 }

    /// The worst relative error over all inputs.
    public var maxRelativeError: Double { inputs.map(\.maxRelativeError).max() ?? 0 }

    public var description: String {
        inputs.enumerated().map { i, e in
            "input \(i): max absolute error \(e.maxAbsoluteError), max relative error \(e.maxRelativeError)"
        }.joined(separator: "\n")
    }
}

/// Compares the gradients that backpropagation gives for `function` with central differences, in Double.
///
/// The function may return any shape: the checker differentiates `Σ v · f(x)`
/// for a fixed random `v`, so that every element of the output is checked with
/// a different weight.
///
/// - Parameters:
///   - inputs: the point to check at, one tensor per input.
///   - epsilon: the central-difference step.
///   - seed: seeds the random weights `v`.
///   - function: the computation, built from differentiable ops.
/// - Returns: the worst errors per input.
public func checkGradients(
    at inputs: [Tensor<Double>], epsilon: Double = 1e-6, seed: UInt64 = 0,
    _ function: ([Variable<Double>]) -> Variable<Double>
) -> GradientCheckReport {
    let variables = inputs.map { Variable($0, requiresGrad: true) }
    let output = function(variables)
    let weights = Tensor<Double>.uniform(output.shape, low: -1, high: 1, seed: seed)
    let analytic = gradients(of: output, wrt: variables, seed: weights)

    // Inputs keep requiring gradients, so that a function that itself differentiates works.
    func objective(_ point: [Tensor<Double>]) -> Double {
        (function(point.map { Variable($0, requiresGrad: true) }).value * weights).sum().scalar
    }
    var point = inputs
    let errors = inputs.indices.map { i in
        var worstAbsolute = 0.0, worstRelative = 0.0
        for j in 0..<inputs[i].count {
            let original = point[i][flat: j]
            point[i][flat: j] = original + epsilon
            let above = objective(point)
            point[i][flat: j] = original - epsilon
            let below = objective(point)
            point[i][flat: j] = original
            let numeric = (above - below) / (2 * epsilon)
            let exact = analytic[i].value[flat: j]
            let error = Swift.abs(exact - numeric)
            worstAbsolute = Swift.max(worstAbsolute, error.isNaN ? .infinity : error)
            worstRelative = Swift.max(worstRelative, error.isNaN ? .infinity : error / Swift.max(1, Swift.abs(exact), Swift.abs(numeric)))
        }
        return GradientCheckReport.InputErrors(maxAbsoluteError: worstAbsolute, maxRelativeError: worstRelative)
    }
    return GradientCheckReport(inputs: errors)
}
