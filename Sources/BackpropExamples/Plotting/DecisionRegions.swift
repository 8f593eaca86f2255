import Backprop

/// The class a classifier assigns to the centre of each cell of a grid over a rectangle,
/// laid out as `Chart.addRegions` expects: `classes[row][column]`, row 0 at the bottom.
///
/// - Parameters:
///   - x: the horizontal extent.
///   - y: the vertical extent.
///   - resolution: cells per side.
///   - classify: the class of each row of a `[n, 2]` batch of points.
public func decisionRegions(
    x: ClosedRange<Double>, y: ClosedRange<Double>, resolution: Int, classify: (Tensor<Float>) -> [Int]
) -> [[Int]] {
    func centre(_ index: Int, _ range: ClosedRange<Double>) -> Float {
        Float(range.lowerBound + (Double(index) + 0.5) / Double(resolution) * (range.upperBound - range.lowerBound))
    }
    var points: [Float] = []
    points.reserveCapacity(2 * resolution * resolution)
    for row in 0..<resolution {
        for column in 0..<resolution { points += [centre(column, x), centre(row, y)] }
    }
    let classes = classify(Tensor(shape: [resolution * resolution, 2], scalars: points))
    return (0..<resolution).map { row in Array(classes[(row * resolution)..<((row + 1) * resolution)]) }
}

/// The fraction of `predicted` equal to `labels`, position by position.
public func accuracy(predicted: [Int], labels: [Int]) -> Double {
    precondition(predicted.count == labels.count, "accuracy: \(predicted.count) predictions for \(labels.count) labels")
    guard !labels.isEmpty else { return 0 }
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
