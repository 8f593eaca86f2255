/// A picture that draws itself into a rectangle of an SVG document: a `Chart`, a
/// `HeatMap` or a `Figure`, so a `Figure` can lay several out side by side.
public protocol ChartPanel: Sendable {
    /// The SVG elements of the panel, drawn in the box from (0, 0) to (`width`, `height`),
    /// without the enclosing `<svg>` element.
    func svgElements(width: Double, height: Double) -> String
}

extension ChartPanel {
    /// The panel as a complete SVG document `width` × `height` pixels in size.
    func document(width: Double, height: Double) -> String {
        svgDocument(width: width, height: height, body: svgElements(width: width, height: height))
    }
}
