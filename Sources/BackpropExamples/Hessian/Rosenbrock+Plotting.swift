import Foundation

extension Rosenbrock {
    /// The decade of f, ⌊log₁₀ f⌋, at the centre of each cell of a grid over a window,
    /// laid out as `Chart.addRegions` expects (row 0 at the bottom); `Int.min` where f = 0.
    ///
    /// Shading alternate decades draws the function's landscape as bands whose edges are
    /// the level sets f = 10ᵏ.
    public static func decades(x: ClosedRange<Double>, y: ClosedRange<Double>, resolution: Int) -> [[Int]] {
        func centre(_ index: Int, _ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (Double(index) + 0.5) / Double(resolution) * (range.upperBound - range.lowerBound)
        }
        return (0..<resolution).map { row in
            (0..<resolution).map { column in
                let f = value(x: centre(column, x), y: centre(row, y))
                return f > 0 ? Int(log10(f).rounded(.down)) : Int.min
            }
        }
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
