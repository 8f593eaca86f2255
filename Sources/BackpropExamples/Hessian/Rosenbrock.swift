import Backprop

/// Rosenbrock's function f(x, y) = (1 − x)² + 100(y − x²)², with its minimum 0 at (1, 1)
/// at the end of a long, curved, flat-bottomed valley: a classic hard case for gradient descent.
public enum Rosenbrock {
    /// Where f is smallest.
    public static let minimum = [1.0, 1.0]

    /// f at `point`, a `[2]` variable (x, y), as a one-element result.
    public static func value(at point: Variable<Double>) -> Variable<Double> {
        let x = point.slicing(0..<1), y = point.slicing(1..<2)
        return (pow(1 - x, 2) + 100 * pow(y - x * x, 2)).sum()
    }

    /// f at (x, y), in closed form.
    public static func value(x: Double, y: Double) -> Double { (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x) }

    /// f, its gradient and its Hessian at `point`, from ``valueWithGradient(at:of:)`` and
    /// ``hessian(at:of:)``.
    ///
    /// `hessian(at:of:)` differentiates the gradient again: made with `createGraph: true`,
    /// the gradient is itself a recorded function of the point, and one more backward sweep
    /// per coordinate gives each row of the Hessian.
    public static func derivatives(at point: [Double]) -> (value: Double, gradient: [Double], hessian: [[Double]]) {
        let (f, gradient) = valueWithGradient(at: Tensor(point), of: value(at:))
        let rows = Backprop.hessian(at: Tensor(point), of: value(at:)).scalars
        return (f.scalar, gradient.scalars, [Array(rows[0..<2]), Array(rows[2..<4])])
    }

    /// ∇f in closed form: (−2(1 − x) − 400x(y − x²), 200(y − x²)).
    public static func closedFormGradient(x: Double, y: Double) -> [Double] {
        [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
    }

    /// The Hessian in closed form: [[2 − 400y + 1200x², −400x], [−400x, 200]].
    public static func closedFormHessian(x: Double, y: Double) -> [[Double]] {
        [[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200]]
    }

    /// Euclidean distance from `point` to the minimum (1, 1).
    public static func distanceToMinimum(_ point: [Double]) -> Double {
        ((point[0] - 1) * (point[0] - 1) + (point[1] - 1) * (point[1] - 1)).squareRoot()
    }
}

/// The iterates of a minimiser, and how it stopped.
public struct MinimizationPath: Sendable {
    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// Within the tolerance of the minimum after ``MinimizationPath/iterations`` steps.
        case converged
        /// Still outside the tolerance when the step cap was reached.
        case stoppedAtCap
        /// A step could not be taken: a singular Hessian, or a non-finite point.
        case failed(String)
    }

    /// Every point visited, the start first.
    public internal(set) var points: [[Double]]
    public var outcome: Outcome

    /// A path through `points`, the start first, that ended with `outcome`.
    public init(points: [[Double]], outcome: Outcome) {
        precondition(!points.isEmpty, "MinimizationPath: a path needs at least its starting point")
        (self.points, self.outcome) = (points, outcome)
    }

    /// Steps taken.
    public var iterations: Int { points.count - 1 }
    /// The last point.
    public var final: [Double] { points[points.count - 1] }
}

extension Rosenbrock {
    /// Newton's method: each step jumps to the stationary point of the local quadratic model,
    /// p ← p − H⁻¹∇f, with the Hessian from ``derivatives(at:)``. No line search, so it
    /// can climb where the Hessian is not positive definite (above the parabola y = x² + 0.005).
    ///
    /// - Parameters:
    ///   - start: the first point (x, y).
    ///   - tolerance: stop once the distance to (1, 1) is below it.
    ///   - maxIterations: the step cap.
    public static func newton(from start: [Double], tolerance: Double = 1e-6, maxIterations: Int) -> MinimizationPath {
        var path = MinimizationPath(points: [start], outcome: .stoppedAtCap)
        while path.iterations < maxIterations, distanceToMinimum(path.final) >= tolerance {
            let (_, g, h) = derivatives(at: path.final)
            let determinant = h[0][0] * h[1][1] - h[0][1] * h[1][0]
            guard determinant.isFinite, g.allSatisfy(\.isFinite) else {
                path.outcome = .failed("non-finite derivatives")
                return path
            }
            guard abs(determinant) > 1e-12 else { path.outcome = .failed("singular Hessian"); return path }
            // Solve H·d = g for the 2×2 case by Cramer's rule.
            let step = [(h[1][1] * g[0] - h[0][1] * g[1]) / determinant, (h[0][0] * g[1] - h[1][0] * g[0]) / determinant]
            let next = [path.final[0] - step[0], path.final[1] - step[1]]
            guard next.allSatisfy(\.isFinite) else { path.outcome = .failed("diverged"); return path }
            path.points.append(next)
        }
        if distanceToMinimum(path.final) < tolerance { path.outcome = .converged }
        return path
    }

    /// Gradient descent with a fixed step: p ← p − `learningRate`·∇f, the gradient from `backward()`.
    ///
    /// - Parameters:
    ///   - start: the first point (x, y).
    ///   - learningRate: the step size. From about 0.002 (2/λ, with λ ≈ 1001.6 the largest eigenvalue
    ///     of the Hessian at the minimum) the steps overshoot and cannot settle; larger ones diverge.
    ///   - tolerance: stop once the distance to (1, 1) is below it.
    ///   - maxIterations: the step cap.
    public static func gradientDescent(
        from start: [Double], learningRate: Double, tolerance: Double = 1e-6, maxIterations: Int
    ) -> MinimizationPath {
        var path = MinimizationPath(points: [start], outcome: .stoppedAtCap)
        let p = Variable(Tensor(start), requiresGrad: true)
        while path.iterations < maxIterations, distanceToMinimum(path.final) >= tolerance {
            p.zeroGrad()
            value(at: p).backward()
            p.value -= p.grad! * learningRate
            let next = p.value.scalars
            guard next.allSatisfy(\.isFinite) else { path.outcome = .failed("diverged"); return path }
            path.points.append(next)
        }
        if distanceToMinimum(path.final) < tolerance { path.outcome = .converged }
        return path
    }
}
