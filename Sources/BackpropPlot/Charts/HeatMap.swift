/// A matrix drawn as a grid of cells shaded on a sequential colour scale, with row and
/// column labels, each cell's value written in a colour that reads on its shade, and a
/// colour bar: for example a confusion matrix, true classes as rows.
///
/// NaN and infinite values are drawn as blank grey cells. Rows may be ragged; missing
/// cells are left empty, missing labels blank.
public struct HeatMap: ChartPanel, Sendable {
    /// The title above the grid.
    public var title: String
    /// The matrix, `values[row][column]`, row 0 at the top.
    public var values: [[Double]]
    /// The labels left of the rows.
    public var rowLabels: [String]
    /// The labels under the columns.
    public var columnLabels: [String]
    /// The label under the column labels.
    public var xLabel: String
    /// The label beside the row labels.
    public var yLabel: String
    /// Whether each cell shows its value.
    public var showsValues: Bool

    /// Creates a heat map.
    /// - Parameters:
    ///   - title: The title above the grid.
    ///   - values: The matrix, `values[row][column]`, row 0 at the top.
    ///   - rowLabels: The labels left of the rows, e.g. the true classes.
    ///   - columnLabels: The labels under the columns, e.g. the predicted classes.
    ///   - xLabel: The label under the column labels.
    ///   - yLabel: The label beside the row labels.
    ///   - showsValues: Whether each cell shows its value.
    public init(title: String, values: [[Double]], rowLabels: [String], columnLabels: [String],
                xLabel: String = "", yLabel: String = "", showsValues: Bool = true) {
        self.title = title
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.showsValues = showsValues
    }

    /// The heat map as an SVG document of `width` × `height` pixels.
    public func svg(width: Double = 640, height: Double = 420) -> String {
        document(width: width, height: height)
    }

    /// Writes the heat map's SVG (640 × 420) to `path` atomically, creating missing
    /// parent directories.
    /// - Throws: The file system's error if the file cannot be written.
    public func write(to path: String) throws {
        try writeSVG(svg(), to: path)
    }

    /// The colour scale: from the smallest value (or 0 when none is negative) to the
    /// largest, widened to nice numbers.
    func colourScale() -> AxisScale {
        let finite = values.joined().filter(\.isFinite)
        return AxisScale.linear(covering: [min(0, finite.min() ?? 0), finite.max() ?? 1], count: 5)
    }

    /// The heat map's elements in the box (0, 0)–(width, height).
    public func svgElements(width: Double, height: Double) -> String {
        let rows = values.count, columns = values.map(\.count).max() ?? 0
        let font = Chart.tickFont
        let scale = colourScale()
        let top = title.isEmpty ? 12.0 : 36.0
        let rowLabelWidth = (0..<rows).map { estimatedTextWidth(label(rowLabels, $0), fontSize: font) }.max() ?? 0
        let left = 10 + (yLabel.isEmpty ? 0 : 20) + rowLabelWidth + 8
        let barLabels = scale.labels.map { estimatedTextWidth($0, fontSize: font) }.max() ?? 0
        let right = 24 + 14 + 6 + barLabels + 10
        let columnLabelWidth = (0..<columns).map { estimatedTextWidth(label(columnLabels, $0), fontSize: font) }.max() ?? 0
        var bottom = 8 + font + 6 + (xLabel.isEmpty ? 0 : 20)
        let availableWidth = max(10, width - left - right)
        let rotated = columns > 0 && columnLabelWidth > availableWidth / Double(columns) - 4
        if rotated { bottom += columnLabelWidth * 0.71 - font * 0.3 }
        let availableHeight = max(10, height - top - bottom)
        var out = "<g class=\"heatmap\">\n"
        if !title.isEmpty {
            out += SVG.fittedText(title, x: width / 2, y: 24, size: Chart.titleFont, maxWidth: width - 16, bold: true)
        }
        guard rows > 0, columns > 0 else {
            out += SVG.text("no data", x: width / 2, y: top + availableHeight / 2, size: Chart.labelFont,
                            anchor: .middle, colour: "#888888")
            return out + "</g>\n"
        }
        let cell = min(availableWidth / Double(columns), availableHeight / Double(rows))
        let gridWidth = cell * Double(columns), gridHeight = cell * Double(rows)
        let gridLeft = left + (availableWidth - gridWidth) / 2
        let gridTop = top + (availableHeight - gridHeight) / 2

        out += "<g class=\"cells\" shape-rendering=\"crispEdges\">\n"
        var texts = ""
        let format = ChartNumber.uniform(Array(values.joined()))
        let widest = values.joined().filter(\.isFinite).map { estimatedTextWidth(format($0), fontSize: 1) }.max() ?? 1
        let valueFont = min(12, cell * 0.42, (cell - 4) / max(widest, 0.5))
        for (row, rowValues) in values.enumerated() {
            for (column, value) in rowValues.enumerated() {
                let x = gridLeft + cell * Double(column), y = gridTop + cell * Double(row)
                guard let fraction = scale.fraction(value) else {
                    out += SVG.rect(x: x, y: y, width: cell, height: cell, fill: "#E4E4E4")
                    continue
                }
                out += SVG.rect(x: x, y: y, width: cell, height: cell, fill: Palette.sequential(fraction))
                if showsValues && valueFont >= 7 {
                    texts += SVG.text(format(value), x: x + cell / 2,
                                      y: y + cell / 2 + valueFont * 0.35, size: valueFont, anchor: .middle,
                                      colour: Palette.textColour(onSequential: fraction))
                }
            }
        }
        out += "</g>\n"
        out += SVG.rect(x: gridLeft, y: gridTop, width: gridWidth, height: gridHeight, fill: "none",
                        extra: "stroke=\"#9A9A9A\" stroke-width=\"1\"")
        if !texts.isEmpty { out += "<g class=\"values\">\n" + texts + "</g>\n" }

        out += "<g class=\"labels\">\n"
        for row in 0..<rows {
            out += SVG.text(label(rowLabels, row), x: gridLeft - 6, y: gridTop + cell * (Double(row) + 0.5) + font * 0.35,
                            size: font, anchor: .end, colour: "#444444")
        }
        for column in 0..<columns {
            let x = gridLeft + cell * (Double(column) + 0.5)
            if rotated {
                out += SVG.text(label(columnLabels, column), x: x + font * 0.3, y: gridTop + gridHeight + 8,
                                size: font, anchor: .end, colour: "#444444", rotation: -45)
            } else {
                out += SVG.text(label(columnLabels, column), x: x, y: gridTop + gridHeight + 6 + font,
                                size: font, anchor: .middle, colour: "#444444")
            }
        }
        out += "</g>\n"
        if !xLabel.isEmpty {
            out += SVG.text(xLabel, x: gridLeft + gridWidth / 2, y: height - 10, size: Chart.labelFont, anchor: .middle)
        }
        if !yLabel.isEmpty {
            out += SVG.text(yLabel, x: max(18, gridLeft - rowLabelWidth - 16), y: gridTop + gridHeight / 2,
                            size: Chart.labelFont, anchor: .middle, rotation: -90)
        }
        out += colourBar(scale, left: gridLeft + gridWidth + 24, top: gridTop, height: gridHeight)
        return out + "</g>\n"
    }

    /// A vertical bar of the colour scale with ticks, drawn as stacked bands (no ids to clash).
    private func colourBar(_ scale: AxisScale, left: Double, top: Double, height: Double) -> String {
        let bands = 48, barWidth = 14.0
        var out = "<g class=\"colour-scale\" shape-rendering=\"crispEdges\">\n"
        for band in 0..<bands {
            let fraction = (Double(band) + 0.5) / Double(bands)
            let y = top + height * (1 - Double(band + 1) / Double(bands))
            out += SVG.rect(x: left, y: y, width: barWidth, height: height / Double(bands) + 0.5,
                            fill: Palette.sequential(fraction))
        }
        out += "</g>\n"
        out += SVG.rect(x: left, y: top, width: barWidth, height: height, fill: "none",
                        extra: "stroke=\"#9A9A9A\" stroke-width=\"1\"")
        for (tick, text) in zip(scale.ticks, scale.labels) {
            guard let fraction = scale.fraction(tick) else { continue }
            let y = top + height * (1 - fraction)
            out += SVG.line(left + barWidth, y, left + barWidth + 4, y, colour: "#555555")
            out += SVG.text(text, x: left + barWidth + 7, y: y + Chart.tickFont * 0.35, size: Chart.tickFont,
                            colour: "#444444")
        }
        return out
    }

    private func label(_ labels: [String], _ index: Int) -> String {
        index < labels.count ? labels[index] : ""
    }
}
