/// Small builders for the SVG elements the charts draw, all text escaped.
enum SVG {
    enum Anchor: String { case start, middle, end }

    /// A `<text>` element whose baseline starts at (x, y); `rotation` turns it about that point.
    static func text(_ content: String, x: Double, y: Double, size: Double, anchor: Anchor = .start,
                     bold: Bool = false, colour: String = "#222222", rotation: Double = 0) -> String {
        var attributes = "x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" font-size=\"\(coordinate(size))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        attributes += " fill=\"\(colour)\""
        if rotation != 0 {
            attributes += " transform=\"rotate(\(coordinate(rotation)) \(coordinate(x)) \(coordinate(y)))\""
        }
        return "<text \(attributes)>\(content.xmlEscaped)</text>\n"
    }

    /// A `<text>` made to fit in `maxWidth`: its font shrunk down to `minimumSize`, then
    /// the text cut short with an ellipsis.
    static func fittedText(_ content: String, x: Double, y: Double, size: Double, maxWidth: Double,
                           minimumSize: Double = 9, anchor: Anchor = .middle, bold: Bool = false,
                           colour: String = "#222222", rotation: Double = 0) -> String {
        let (shown, fittedSize) = fitted(content, size: size, maxWidth: maxWidth, minimumSize: minimumSize, bold: bold)
        return text(shown, x: x, y: y, size: fittedSize, anchor: anchor, bold: bold, colour: colour, rotation: rotation)
    }

    /// `content` and a font size at which it fits in `maxWidth`, shortened if it must be.
    static func fitted(_ content: String, size: Double, maxWidth: Double, minimumSize: Double = 9,
                       bold: Bool = false) -> (text: String, size: Double) {
        let weight = bold ? 1.1 : 1.0
        func width(_ text: String, _ size: Double) -> Double { estimatedTextWidth(text, fontSize: size) * weight }
        let full = width(content, size)
        guard full > maxWidth, maxWidth > 0 else { return (content, size) }
        let smaller = max(minimumSize, min(size, size * maxWidth / full))
        if width(content, smaller) <= maxWidth { return (content, smaller) }
        var shortened = content
        while !shortened.isEmpty && width(shortened + "…", smaller) > maxWidth { shortened.removeLast() }
        return (shortened + "…", smaller)
    }

    /// A `<line>` from (x1, y1) to (x2, y2).
    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, colour: String,
                     width: Double = 1, dash: String? = nil) -> String {
        var attributes = "x1=\"\(coordinate(x1))\" y1=\"\(coordinate(y1))\" x2=\"\(coordinate(x2))\" "
            + "y2=\"\(coordinate(y2))\" stroke=\"\(colour)\" stroke-width=\"\(coordinate(width))\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        return "<line \(attributes)/>\n"
    }

    /// A `<rect>` with the given fill and optional extra attributes.
    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, extra: String = "") -> String {
        "<rect x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" width=\"\(coordinate(max(0, width)))\" "
            + "height=\"\(coordinate(max(0, height)))\" fill=\"\(fill)\"\(extra.isEmpty ? "" : " " + extra)/>\n"
    }

    /// `hex` mixed with white, `amount` of the colour (0 white, 1 the colour itself).
    static func tint(_ hex: String, amount: Double) -> String {
        let digits = Array(hex.dropFirst())
        func channel(_ i: Int) -> Double { Double(Int(String(digits[i..<i + 2]), radix: 16) ?? 255) }
        let mixed = (0..<3).map { 255 + (channel($0 * 2) - 255) * amount }
        return "#" + mixed.map { value in
            let text = String(Int(value.rounded()), radix: 16, uppercase: true)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }
}
