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
