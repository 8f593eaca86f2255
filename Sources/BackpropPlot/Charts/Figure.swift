/// Several charts or heat maps in one SVG, laid out in a grid row by row, under an
/// optional title.
public struct Figure: ChartPanel, Sendable {
    /// The title above all panels, if any.
    public var title: String?
    /// The number of panels per row.
    public var columns: Int
    /// The panels, left to right, then top to bottom.
    public var panels: [any ChartPanel]

    /// The size of one panel when `svg()` is given no size.
    static let defaultPanelWidth = 520.0, defaultPanelHeight = 380.0

    /// Creates a figure.
    /// - Parameters:
    ///   - title: The title above all panels, if any.
    ///   - columns: The number of panels per row (at least 1).
    ///   - panels: The panels, left to right, then top to bottom.
    public init(title: String? = nil, columns: Int, panels: [any ChartPanel]) {
        self.title = title
        self.columns = columns
        self.panels = panels
    }

    private var columnCount: Int { max(1, min(columns, max(1, panels.count))) }
    private var rowCount: Int { max(1, (panels.count + columnCount - 1) / columnCount) }
    private var titleHeight: Double { (title ?? "").isEmpty ? 0 : 40 }

    /// The figure as an SVG document; by default each panel gets 520 × 380 pixels.
    public func svg(width: Double? = nil, height: Double? = nil) -> String {
        let width = width ?? Self.defaultPanelWidth * Double(columnCount)
        let height = height ?? Self.defaultPanelHeight * Double(rowCount) + titleHeight
        return document(width: width, height: height)
    }

    /// Writes the figure's SVG, at its default size, to `path` atomically, creating
    /// missing parent directories.
    /// - Throws: The file system's error if the file cannot be written.
    public func write(to path: String) throws {
        try writeSVG(svg(), to: path)
    }

    /// The figure's elements in the box (0, 0)–(width, height).
    public func svgElements(width: Double, height: Double) -> String {
        var out = "<g class=\"figure\">\n"
        if let title, !title.isEmpty {
            out += SVG.fittedText(title, x: width / 2, y: 27, size: 18, maxWidth: width - 16, bold: true)
        }
        let panelWidth = width / Double(columnCount)
        let panelHeight = max(10, height - titleHeight) / Double(rowCount)
        for (index, panel) in panels.enumerated() {
            let x = panelWidth * Double(index % columnCount)
            let y = titleHeight + panelHeight * Double(index / columnCount)
            out += "<g transform=\"translate(\(coordinate(x)) \(coordinate(y)))\">\n"
            out += panel.svgElements(width: panelWidth, height: panelHeight)
            out += "</g>\n"
        }
        return out + "</g>\n"
    }
}
