/// An x-y chart, written as SVG: lines (solid or dashed), scatter plots, and pale
/// class-coloured regions under them, on linear or logarithmic axes.
///
/// Series take palette colours in the order they are added; a region of class k takes
/// the k-th colour, so class k's scatter, added k-th, matches its region. Values that
/// cannot be drawn (NaN, infinities, and zero or negative values on a logarithmic axis)
/// are skipped, and a line breaks where they were.
///
/// ```text
/// var chart = Chart(title: "Training", xLabel: "epoch", yLabel: "loss", logarithmicY: true)
/// chart.addLine("training", x: epochs, y: trainingLoss)
/// chart.addLine("validation", x: epochs, y: validationLoss, dashed: true)
/// try chart.write(to: "out/loss.svg")
/// ```
public struct Chart: ChartPanel, Sendable {
    /// The title above the plot.
    public var title: String
    /// The label under the x axis.
    public var xLabel: String
    /// The label beside the y axis.
    public var yLabel: String
    /// Whether the x axis is logarithmic (base 10), e.g. for a learning rate.
    public var logarithmicX: Bool
    /// Whether the y axis is logarithmic (base 10).
    public var logarithmicY: Bool

    enum Style: Sendable, Equatable { case line(dashed: Bool), scatter }

    struct Series: Sendable {
        var label: String
        var x: [Double]
        var y: [Double]
        var style: Style
    }

    struct Regions: Sendable {
        var classes: [[Int]]
        var x: ClosedRange<Double>
        var y: ClosedRange<Double>
    }

    var series: [Series] = []
    var regions: Regions?

    /// Creates an empty chart.
    /// - Parameters:
    ///   - title: The title above the plot.
    ///   - xLabel: The label under the x axis.
    ///   - yLabel: The label beside the y axis.
    ///   - logarithmicX: Whether the x axis is logarithmic; points with x ≤ 0 are then skipped.
    ///   - logarithmicY: Whether the y axis is logarithmic; points with y ≤ 0 are then skipped.
    public init(title: String, xLabel: String = "", yLabel: String = "", logarithmicX: Bool = false,
                logarithmicY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logarithmicX = logarithmicX
        self.logarithmicY = logarithmicY
    }

    /// Adds a line through the points (x[i], y[i]) in order, in the next palette colour.
    /// Extra elements of the longer array are ignored.
    /// - Parameters:
    ///   - label: The series' name in the legend; an empty label leaves it out of the legend.
    ///   - dashed: Whether the line is dashed, e.g. for validation next to training.
    public mutating func addLine(_ label: String, x: [Double], y: [Double], dashed: Bool = false) {
        series.append(Series(label: label, x: x, y: y, style: .line(dashed: dashed)))
    }

    /// Adds the points (x[i], y[i]) as dots in the next palette colour.
    /// - Parameter label: The series' name in the legend; an empty label leaves it out.
    public mutating func addScatter(_ label: String, x: [Double], y: [Double]) {
        series.append(Series(label: label, x: x, y: y, style: .scatter))
    }

    /// Shades the rectangle `x` × `y` as a grid of pale cells, cell (row, column) in the
    /// colour of class `classes[row][column]` (the colour of the series added at that
    /// index), row 0 at the bottom: a classifier's decision regions under its points.
    /// Negative class indices are left blank. A later call replaces an earlier one.
    public mutating func addRegions(_ classes: [[Int]], x: ClosedRange<Double>, y: ClosedRange<Double>) {
        regions = Regions(classes: classes, x: x, y: y)
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    public func svg(width: Double = 640, height: Double = 420) -> String {
        document(width: width, height: height)
    }

    /// Writes the chart's SVG (640 × 420) to `path` atomically, creating missing
    /// parent directories.
    /// - Throws: The file system's error if the file cannot be written.
    public func write(to path: String) throws {
        try writeSVG(svg(), to: path)
    }
}
