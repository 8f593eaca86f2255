import Foundation

extension Rosenbrock {
    /// The level set f = `level` inside a window, as polylines (one per piece the window cuts it into).
    ///
    /// Every level set of Rosenbrock's function is one closed curve with an exact parametrisation:
    /// (1 − x)² = c·cos²θ and 100(y − x²)² = c·sin²θ give x = 1 − √c·cos θ, y = x² + (√c/10)·sin θ.
    ///
    /// - Parameters:
    ///   - level: c > 0.
    ///   - x: the window's horizontal extent.
    ///   - y: the window's vertical extent.
    ///   - samples: points along the whole curve.
    public static func contour(level: Double, x: ClosedRange<Double>, y: ClosedRange<Double>, samples: Int = 400) -> [[[Double]]] {
        let root = level.squareRoot()
        var pieces: [[[Double]]] = [], current: [[Double]] = []
        for i in 0...samples {
            let theta = 2 * Double.pi * Double(i) / Double(samples)
            let px = 1 - root * cos(theta)
            let point = [px, px * px + root / 10 * sin(theta)]
            if x.contains(point[0]) && y.contains(point[1]) {
                current.append(point)
            } else if !current.isEmpty {
                pieces.append(current)
                current = []
            }
        }
        if !current.isEmpty { pieces.append(current) }
        // The curve is closed: a piece running through θ = 0 was cut in two at the seam.
        if pieces.count > 1, let first = pieces.first?.first, let last = pieces.last?.last,
           abs(first[0] - last[0]) + abs(first[1] - last[1]) < 1e-9 {
            pieces[0] = pieces.removeLast() + pieces[0].dropFirst()
        }
        return pieces
    }
}

extension MinimizationPath {
    /// At most `count` of the points, for drawing: the first ones all, then ever sparser
    /// (log-spaced in the iteration number), always with the last point.
    public func thinned(to count: Int) -> [[Double]] {
        guard points.count > count, count > 2 else { return points }
        var indices = Set<Int>()
        let ratio = pow(Double(points.count - 1), 1 / Double(count - 1))
        var position = 1.0
        for _ in 0..<(count - 1) {
            indices.insert(Int(position.rounded()) - 1)
            position *= ratio
        }
        indices.insert(0)
        indices.insert(points.count - 1)
        return indices.sorted().map { points[$0] }
    }
}
